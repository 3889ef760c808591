import { DataError } from '@sluice/core';
import type { LogHeader } from '../../log/log.js';

/*
 * Headers are stored as one BLOB per record:
 *   count:u32 then, per header, keyLength:u32 key:utf8 valueLength:i32 (-1 = null) value:bytes
 * (all big-endian, as Kafka's own wire formats). A record without headers stores SQL NULL, which
 * costs nothing in the common case.
 */

const NULL_LENGTH = -1;

/** Encodes headers for storage; null for none. Does not mutate its input. */
export function encodeHeaders(headers: readonly LogHeader[] | undefined): Buffer | null {
  if (!headers || headers.length === 0) return null;
  const keys = headers.map((h) => Buffer.from(h.key, 'utf8'));
  let size = 4;
  for (let i = 0; i < headers.length; i++) size += 8 + keys[i]!.length + (headers[i]!.value?.length ?? 0);
  const out = Buffer.allocUnsafe(size);
  let pos = out.writeUInt32BE(headers.length, 0);
  for (let i = 0; i < headers.length; i++) {
    const key = keys[i]!;
    const value = headers[i]!.value;
    pos = out.writeUInt32BE(key.length, pos);
    pos += key.copy(out, pos);
    if (value === null) {
      pos = out.writeInt32BE(NULL_LENGTH, pos);
    } else {
      pos = out.writeInt32BE(value.length, pos);
      pos += value.copy(out, pos);
    }
  }
  return out;
}

/**
 * Decodes what `encodeHeaders` wrote; null/undefined decodes to no headers. Throws a DataError on a
 * truncated or malformed blob (a corrupted database, never a user input).
 */
export function decodeHeaders(blob: Buffer | null | undefined): LogHeader[] {
  if (!blob || blob.length === 0) return [];
  try {
    const count = blob.readUInt32BE(0);
    let pos = 4;
    const headers: LogHeader[] = [];
    for (let i = 0; i < count; i++) {
      const keyLength = blob.readUInt32BE(pos);
      pos += 4;
      if (pos + keyLength > blob.length) throw new RangeError('header key overruns the blob');
      const key = blob.toString('utf8', pos, pos + keyLength);
      pos += keyLength;
      const valueLength = blob.readInt32BE(pos);
      pos += 4;
      if (valueLength === NULL_LENGTH) {
        headers.push({ key, value: null });
        continue;
      }
      if (valueLength < 0 || pos + valueLength > blob.length) throw new RangeError('header value overruns the blob');
      headers.push({ key, value: Buffer.from(blob.subarray(pos, pos + valueLength)) });
      pos += valueLength;
    }
    return headers;
  } catch (err) {
    throw new DataError('Stored record headers are corrupt', { cause: err });
  }
}
