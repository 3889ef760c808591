import { once } from 'node:events';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, gunzipSync } from 'node:zlib';
import { DataError } from '@sluice/core';
import type { ByteSink } from './record-format.js';

/**
 * Wraps a sink so that everything written is gzip-compressed on the way through, streaming: the
 * compressor's output reaches `inner` as it is produced, with backpressure, so memory stays
 * bounded. `level` is zlib's -1 (default) … 9.
 */
export function gzipSink(inner: ByteSink, level: number): ByteSink {
  const gzip = createGzip({ level });
  const forward = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      inner.write(chunk).then(() => callback(), callback);
    },
  });
  const done = pipeline(gzip, forward);
  let failure: unknown = null;
  done.catch((err: unknown) => {
    failure = err;
  });
  return {
    async write(chunk) {
      if (failure !== null) throw failure;
      if (gzip.write(chunk)) return;
      await Promise.race([
        once(gzip, 'drain'),
        done.then(() => {
          throw new Error('compressor closed early');
        }),
      ]);
    },
    async end() {
      gzip.end();
      await done;
      await inner.end();
    },
  };
}

/** True when `bytes` start with the gzip magic number. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Decompresses a gzip object (several concatenated members are read as one). Throws DataError when corrupt. */
export function gunzip(bytes: Uint8Array): Uint8Array {
  try {
    return gunzipSync(bytes);
  } catch (err) {
    throw new DataError('object is not valid gzip', { cause: err });
  }
}
