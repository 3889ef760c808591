import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DataError } from '@sluice/core';
import { ConnectJson } from './connect-json.js';
import { decodeCsv } from './csv-format.js';
import { decodeJsonLines } from './json-lines-format.js';
import type { DecodedRecord, FormatName, FormatOptions } from './record-format.js';
import { recordCursor } from './record-stream.js';

const OPTIONS: FormatOptions = {
  envelope: false,
  json: new ConnectJson('BASE64'),
  bytesSeparator: '\n',
  parquetCodec: 'none',
  parquetRowGroupRecords: 1,
};

/** The bytes in chunks of `size`. */
async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

async function readAll(
  format: FormatName,
  bytes: Uint8Array,
  size: number,
  options: FormatOptions = OPTIONS,
): Promise<DecodedRecord[]> {
  const cursor = recordCursor(format, chunked(bytes, size), options);
  const out: DecodedRecord[] = [];
  while (!cursor.done) out.push(...(await cursor.take(3)));
  return out;
}

const values = (records: readonly DecodedRecord[]) =>
  records.map((r) => (r.value instanceof Map ? Object.fromEntries(r.value) : r.value));

describe('streamed decoding of objects', () => {
  const text = '{"a":1,"s":"h\u00e9llo \u{1F600}"}\r\n\n{"a":2}\n{"a":3}';
  const bytes = Buffer.from(text, 'utf8');

  it('reads JSON lines split anywhere, multi-byte characters and CRLF included, like the whole-object decoder', async () => {
    const whole = values(decodeJsonLines(text, OPTIONS));
    expect(whole).toHaveLength(3);
    for (const size of [1, 2, 3, 5, 7, 64]) expect(values(await readAll('json', bytes, size))).toEqual(whole);
    // gzip, read in small pieces
    for (const size of [1, 9, 4096]) expect(values(await readAll('json', gzipSync(bytes), size))).toEqual(whole);
  });

  it('keeps blank lines as lines, and drops only the final line break', async () => {
    for (const size of [1, 4, 100])
      expect(values(await readAll('lines', Buffer.from('a\r\n\nb\n'), size))).toEqual(['a', '', 'b']);
  });

  it('reads CSV with quoted line breaks split across chunks', async () => {
    const csv = 'id,note\r\n1,"two\nlines, and ""quotes"""\n2,\n3,""\n';
    const whole = decodeCsv(csv, OPTIONS).map((r) => (r.value as { toJSON(): unknown }).toJSON());
    expect(whole).toEqual([
      { id: '1', note: 'two\nlines, and "quotes"' },
      { id: '2', note: null },
      { id: '3', note: '' },
    ]);
    for (const size of [1, 2, 5, 11, 1000]) {
      const streamed = (await readAll('csv', Buffer.from(csv), size)).map((r) =>
        (r.value as { toJSON(): unknown }).toJSON(),
      );
      expect(streamed).toEqual(whole);
    }
  });

  it('splits bytes on a separator that straddles chunks, keeping a trailing record without one', async () => {
    const options = { ...OPTIONS, bytesSeparator: '||' };
    const data = Buffer.from('ab||c||||def');
    for (const size of [1, 2, 3, 100]) {
      const got = (await readAll('bytes', data, size, options)).map((r) =>
        Buffer.from(r.value as Uint8Array).toString(),
      );
      expect(got).toEqual(['ab', 'c', '', 'def']);
    }
  });

  it('knows it is done exactly when the last record has been taken', async () => {
    const cursor = recordCursor('lines', chunked(Buffer.from('a\nb\nc\n'), 2), OPTIONS);
    expect(values(await cursor.take(2))).toEqual(['a', 'b']);
    expect(cursor.done).toBe(false);
    expect(values(await cursor.take(1))).toEqual(['c']);
    expect(cursor.done).toBe(true);
    const skipping = recordCursor('lines', chunked(Buffer.from('a\nb\nc\n'), 1), OPTIONS);
    expect(await skipping.skip(2)).toBe(2);
    expect(values(await skipping.take(5))).toEqual(['c']);
    expect(await recordCursor('lines', chunked(Buffer.from('a\n'), 1), OPTIONS).skip(5)).toBe(1);
    const empty = recordCursor('json', chunked(Buffer.alloc(0), 1), OPTIONS);
    expect(await empty.take(0)).toEqual([]);
    expect(empty.done).toBe(true);
  });

  it('fails with a DataError on a malformed line or broken gzip', async () => {
    await expect(readAll('json', Buffer.from('{"a":1}\n{oops\n'), 3)).rejects.toThrow(DataError);
    const broken = gzipSync(Buffer.from('{"a":1}\n'.repeat(100)));
    broken[broken.length - 20] ^= 0xff;
    await expect(readAll('json', broken, 7)).rejects.toThrow(DataError);
  });
});
