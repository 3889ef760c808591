import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sinkRecord, type SinkOffsets } from '@sluice/core';
import { FileStreamSinkTask } from './file-stream-sink-task.js';

let dir: string | null = null;

afterEach(async () => {
  vi.restoreAllMocks();
  if (dir !== null) await rm(dir, { recursive: true, force: true });
  dir = null;
});

describe('FileStreamSinkTask', () => {
  it('fsyncs the file before preCommit returns the offsets', async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-sink-unit-'));
    const file = join(dir, 'out.txt');
    // spy on the real FileHandle.prototype.sync (the class is not exported, so take it from an instance)
    const probe = await open(file, 'a');
    const proto = Object.getPrototypeOf(probe) as { sync: () => Promise<void> };
    await probe.close();
    const events: string[] = [];
    const realSync = proto.sync;
    vi.spyOn(proto, 'sync').mockImplementation(async function (this: unknown) {
      events.push('sync-start');
      await new Promise((r) => setTimeout(r, 30));
      await realSync.call(this);
      events.push('sync-done');
    });

    const task = new FileStreamSinkTask();
    await task.start({ file });
    await task.put([sinkRecord({ topic: 't', kafkaPartition: 0, kafkaOffset: 4, value: 'durable' })]);
    expect(events).toEqual([]);
    const offsets: SinkOffsets = new Map([['t-0', { tp: { topic: 't', partition: 0 }, offset: 5 }]]);
    const returned = await task.preCommit(offsets);
    events.push('preCommit-returned');
    expect(events).toEqual(['sync-start', 'sync-done', 'preCommit-returned']);
    expect(returned).toBe(offsets);
    expect(await readFile(file, 'utf8')).toBe('durable\n');
    await task.stop();
    await task.stop();
  });

  it('rejects put before start', async () => {
    await expect(Promise.resolve().then(() => new FileStreamSinkTask().put([]))).rejects.toMatchObject({
      code: 'ILLEGAL_STATE',
    });
  });
});
