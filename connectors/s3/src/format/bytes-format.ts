import { DataError, Schemas, type SinkRecord } from '@sluice/core';
import { textLines } from './json-lines-format.js';
import {
  ChunkedWriter,
  valueRecord,
  type ByteSink,
  type DecodedRecord,
  type FormatOptions,
  type RecordEncoder,
} from './record-format.js';

const encoder = new TextEncoder();

/**
 * Raw bytes (Confluent's ByteArrayFormat): each value's bytes followed by the separator
 * (`format.bytearray.separator`, default a line break). Values must be bytes or strings (written as
 * UTF-8). A value containing the separator reads back as several records.
 */
export class BytesEncoder implements RecordEncoder {
  readonly #out: ChunkedWriter;

  constructor(
    sink: ByteSink,
    private readonly options: FormatOptions,
  ) {
    this.#out = new ChunkedWriter(sink);
  }

  fits(_record: SinkRecord): boolean {
    return true;
  }

  async append(record: SinkRecord): Promise<void> {
    const v = record.value;
    let bytes: Uint8Array;
    if (v instanceof Uint8Array) bytes = v;
    else if (typeof v === 'string') bytes = encoder.encode(v);
    else if (v === null || v === undefined) bytes = new Uint8Array(0);
    else throw new DataError('the bytes format needs byte or string values; use ByteArrayConverter or StringConverter');
    await this.#out.add(bytes);
    if (this.options.bytesSeparator.length > 0) await this.#out.add(this.options.bytesSeparator);
  }

  finish(): Promise<void> {
    return this.#out.end();
  }
}

/** Splits an object on the separator into BYTES records (the whole object when the separator is empty). */
export function decodeBytes(bytes: Uint8Array, options: FormatOptions): DecodedRecord[] {
  const sep = Buffer.from(options.bytesSeparator);
  const all = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (sep.length === 0) return all.length === 0 ? [] : [valueRecord(Schemas.OPTIONAL_BYTES, new Uint8Array(all))];
  const out: DecodedRecord[] = [];
  let start = 0;
  for (;;) {
    const at = all.indexOf(sep, start);
    if (at < 0) {
      // bytes after the last separator: a record whose separator was never written
      if (start < all.length) out.push(valueRecord(Schemas.OPTIONAL_BYTES, new Uint8Array(all.subarray(start))));
      return out;
    }
    out.push(valueRecord(Schemas.OPTIONAL_BYTES, new Uint8Array(all.subarray(start, at))));
    start = at + sep.length;
  }
}

/** Each line of a UTF-8 object as a STRING record (`lines` format, read-only). */
export function decodeLines(text: string): DecodedRecord[] {
  return textLines(text).map((line) => valueRecord(Schemas.OPTIONAL_STRING, line));
}
