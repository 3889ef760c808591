import { ConnectError, NotFoundError } from '@sluice/core';
import type { ObjectInfo, ObjectStore, ObjectUpload } from './object-store.js';

/**
 * An `ObjectStore` in memory, for tests of code that writes or reads objects: uploads become
 * visible on `complete`, listings are in S3's key order. `failCompletion` lets a test make chosen
 * uploads fail as S3 would after exhausting retries.
 */
export class InMemoryObjectStore implements ObjectStore {
  readonly objects = new Map<string, { bytes: Uint8Array; tags: Readonly<Record<string, string>> }>();
  /** every key whose upload was aborted, in order */
  readonly aborted: string[] = [];
  /** uploads started and not yet completed or aborted */
  openUploads = 0;
  /** return true to make the completion of `key` fail */
  failCompletion: (key: string) => boolean = () => false;

  startUpload(key: string): ObjectUpload {
    const parts: Uint8Array[] = [];
    let state: 'open' | 'closed' = 'open';
    this.openUploads++;
    const close = (): void => {
      if (state === 'open') this.openUploads--;
      state = 'closed';
    };
    return {
      key,
      write: async (chunk) => {
        if (state !== 'open') throw new ConnectError(`write to a closed upload of ${key}`);
        parts.push(new Uint8Array(chunk));
      },
      complete: async (tags = {}) => {
        if (state !== 'open') throw new ConnectError(`complete on a closed upload of ${key}`);
        close();
        if (this.failCompletion(key)) throw new ConnectError(`injected failure completing ${key}`, { retriable: true });
        this.objects.set(key, { bytes: Buffer.concat(parts), tags: { ...tags } });
      },
      abort: async () => {
        if (state === 'open') this.aborted.push(key);
        close();
      },
    };
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    const keys = [...this.objects.keys()]
      .filter((k) => k.startsWith(prefix))
      .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    for (const key of keys) yield { key, sizeBytes: this.objects.get(key)?.bytes.length ?? 0 };
  }

  /** bytes per chunk `readStream` yields: small values exercise records split across chunks */
  streamChunkBytes = 64 * 1024;

  async readStream(key: string): Promise<AsyncIterable<Uint8Array>> {
    const o = this.objects.get(key);
    if (o === undefined) throw new NotFoundError(`no object ${key}`);
    const bytes = o.bytes;
    const size = this.streamChunkBytes;
    return (async function* () {
      for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
    })();
  }

  /** The object's content as UTF-8 text. */
  text(key: string): string {
    const o = this.objects.get(key);
    if (o === undefined) throw new NotFoundError(`no object ${key}`);
    return Buffer.from(o.bytes).toString('utf8');
  }

  close(): void {}
}
