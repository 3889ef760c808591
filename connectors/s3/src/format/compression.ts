import { once } from 'node:events';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
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
