import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { noopLogger } from '@sluice/core';
import { FileTailer } from './file-tailer.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-tailer-'));
});

afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

describe('FileTailer', () => {
  it('reads a large file a chunk at a time, never far ahead of the lines it returns', async () => {
    const file = join(dir, 'big.txt');
    const line = 'y'.repeat(99);
    await writeFile(file, `${line}\n`.repeat(100_000)); // 10 MB
    // count bytes through the real FileHandle.read (the class is not exported; take it from an instance)
    const probe = await open(file, 'r');
    const proto = Object.getPrototypeOf(probe) as { read: (...args: unknown[]) => Promise<{ bytesRead: number }> };
    await probe.close();
    const realRead = proto.read;
    let bytesRead = 0;
    vi.spyOn(proto, 'read').mockImplementation(async function (this: unknown, ...args: unknown[]) {
      const result = await realRead.apply(this, args);
      bytesRead += result.bytesRead;
      return result;
    });

    const chunkBytes = 64 * 1024;
    const tailer = new FileTailer(file, noopLogger, { resumeFrom: null, chunkBytes });
    const signal = new AbortController().signal;
    const first = await tailer.read(10, 1000, signal);
    expect(first).toHaveLength(10);
    // one chunk plus the fingerprint read of the file head
    expect(bytesRead).toBeLessThanOrEqual(chunkBytes + 1024);

    let total = first.length;
    for (let i = 0; i < 200 && total < 100_000; i++) total += (await tailer.read(2000, 1000, signal)).length;
    expect(total).toBe(100_000);
    expect(bytesRead).toBeLessThan(10_000_000 + chunkBytes + 1024 * 4);
    await tailer.close();
  });

  it('returns no lines after close, even while waiting', async () => {
    const file = join(dir, 'idle.txt');
    await writeFile(file, '');
    const tailer = new FileTailer(file, noopLogger, { resumeFrom: null });
    const started = Date.now();
    const pending = tailer.read(10, 10_000, new AbortController().signal);
    setTimeout(() => void tailer.close(), 50);
    expect(await pending).toEqual([]);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
