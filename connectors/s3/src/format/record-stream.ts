import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { DataError, Schemas } from '@sluice/core';
import { csvRecords } from './csv-format.js';
import { parseCsv, type CsvCell } from './csv-text.js';
import { jsonLineRecord } from './json-lines-format.js';
import { decodeParquet } from './parquet-format.js';
import { valueRecord, type DecodedRecord, type FormatName, type FormatOptions } from './record-format.js';

/**
 * Reading objects as streams of records, so the source task holds one batch at a time however
 * large an object is. JSON lines, lines, CSV and separated bytes are decoded as their bytes arrive
 * (gzip too); Parquet needs its footer first, so it is read whole.
 */

/** Pulls records from an object; knows whether it has returned the last one. */
export class RecordCursor {
  private readonly buffer: DecodedRecord[] = [];
  private ended = false;

  constructor(private readonly records: AsyncIterator<DecodedRecord>) {}

  /** The next `max` records (fewer only at the end); reads one ahead so `done` is exact afterwards. */
  async take(max: number): Promise<DecodedRecord[]> {
    while (!this.ended && this.buffer.length <= max) {
      const r = await this.records.next();
      if (r.done === true) this.ended = true;
      else this.buffer.push(r.value);
    }
    return this.buffer.splice(0, max);
  }

  /** Drops the next `count` records; resolves to how many there were. */
  async skip(count: number): Promise<number> {
    let skipped = 0;
    while (skipped < count) {
      const batch = await this.take(Math.min(1000, count - skipped));
      if (batch.length === 0) break;
      skipped += batch.length;
    }
    return skipped;
  }

  /** True once every record has been returned. */
  get done(): boolean {
    return this.ended && this.buffer.length === 0;
  }

  /** Stops reading (the underlying stream is released). */
  async close(): Promise<void> {
    this.ended = true;
    this.buffer.length = 0;
    await this.records.return?.();
  }
}

/**
 * Decodes a whole object. gzip is recognised by its magic number, whatever the object's name, so a
 * reader need not know the writer's compression. Throws DataError on malformed content.
 */
export async function decodeObject(format: FormatName, bytes: Uint8Array, options: FormatOptions): Promise<DecodedRecord[]> {
  const out: DecodedRecord[] = [];
  for await (const record of decodeChunks(format, oneChunk(bytes), options)) out.push(record);
  return out;
}

async function* oneChunk(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

/** Records of an object whose bytes arrive as `chunks`. */
export function recordCursor(
  format: FormatName,
  chunks: AsyncIterable<Uint8Array>,
  options: FormatOptions,
): RecordCursor {
  return new RecordCursor(decodeChunks(format, chunks, options)[Symbol.asyncIterator]());
}

async function* decodeChunks(
  format: FormatName,
  chunks: AsyncIterable<Uint8Array>,
  options: FormatOptions,
): AsyncGenerator<DecodedRecord> {
  if (format === 'parquet') {
    const parts: Uint8Array[] = [];
    for await (const chunk of chunks) parts.push(chunk);
    yield* await decodeParquet(Buffer.concat(parts), options);
    return;
  }
  const plain = await gunzipIfCompressed(chunks);
  switch (format) {
    case 'json':
      for await (const line of textLines(plain)) if (line.trim() !== '') yield jsonLineRecord(line, options);
      return;
    case 'lines':
      for await (const line of textLines(plain)) yield valueRecord(Schemas.OPTIONAL_STRING, line);
      return;
    case 'csv':
      yield* csvRecords(csvRows(plain), options);
      return;
    case 'bytes':
      yield* separatedBytes(plain, Buffer.from(options.bytesSeparator));
      return;
  }
}

/** The chunks, gunzipped when the object starts with the gzip magic bytes. */
async function gunzipIfCompressed(chunks: AsyncIterable<Uint8Array>): Promise<AsyncIterable<Uint8Array>> {
  const it = chunks[Symbol.asyncIterator]();
  // the two magic bytes may come in separate chunks
  let head: Uint8Array = new Uint8Array(0);
  while (head.length < 2) {
    const r = await it.next();
    if (r.done === true) break;
    head = head.length === 0 ? r.value : Buffer.concat([head, r.value]);
  }
  if (head.length === 0) return (async function* () {})();
  async function* all(): AsyncGenerator<Uint8Array> {
    yield head;
    for (let r = await it.next(); r.done !== true; r = await it.next()) yield r.value;
  }
  if (!(head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b)) return all();
  const gunzip = createGunzip();
  const out = Readable.from(all()).pipe(gunzip);
  return (async function* () {
    try {
      for await (const chunk of out as AsyncIterable<Buffer>) yield chunk;
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (typeof e.code === 'string' && e.code.startsWith('Z_'))
        throw new DataError(`not valid gzip data: ${e.message}`, { cause: err });
      throw err;
    }
  })();
}

/** UTF-8 text lines (LF or CRLF); a final line break does not start a line. */
export async function* textLines(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  let rest = '';
  const strip = (line: string) => (line.endsWith('\r') ? line.slice(0, -1) : line);
  for await (const chunk of chunks) {
    const parts = (rest + decoder.decode(chunk, { stream: true })).split('\n');
    rest = parts.pop() as string;
    for (const line of parts) yield strip(line);
  }
  rest += decoder.decode();
  if (rest !== '') yield strip(rest);
}

/** CSV rows as they complete: a row ends at a line break outside quotes. */
async function* csvRows(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<CsvCell[]> {
  const decoder = new TextDecoder('utf-8');
  let text = '';
  let scanned = 0;
  let inQuote = false;
  const complete = function* (upTo: number): Generator<CsvCell[]> {
    const rows = text.slice(0, upTo);
    text = text.slice(upTo);
    scanned -= upTo;
    yield* parseCsv(rows);
  };
  for await (const chunk of chunks) {
    text += decoder.decode(chunk, { stream: true });
    let boundary = -1;
    for (; scanned < text.length; scanned++) {
      const c = text.charCodeAt(scanned);
      if (c === 0x22) inQuote = !inQuote;
      else if (c === 0x0a && !inQuote) boundary = scanned;
    }
    if (boundary >= 0) yield* complete(boundary + 1);
  }
  text += decoder.decode();
  if (text !== '') yield* complete(text.length);
}

/** BYTES records split on `separator` (the whole object when it is empty). */
async function* separatedBytes(chunks: AsyncIterable<Uint8Array>, separator: Buffer): AsyncGenerator<DecodedRecord> {
  const record = (bytes: Buffer) => valueRecord(Schemas.OPTIONAL_BYTES, new Uint8Array(bytes));
  let pending = Buffer.alloc(0);
  for await (const chunk of chunks) {
    pending = pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([pending, chunk]);
    if (separator.length === 0) continue;
    let start = 0;
    for (let at = pending.indexOf(separator, start); at >= 0; at = pending.indexOf(separator, start)) {
      yield record(pending.subarray(start, at));
      start = at + separator.length;
    }
    pending = pending.subarray(start);
  }
  // bytes after the last separator: a record whose separator was never written
  if (pending.length > 0) yield record(pending);
}
