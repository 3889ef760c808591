import { describe, expect, it } from 'vitest';
import {
  ConnectError,
  IllegalStateError,
  RetriableError,
  sourceRecord,
  type RecordMetadata,
  type SourceRecord,
  type SourceTask,
  type SourceTaskContext,
  type TaskConfig,
} from '@sluice/core';
import { CapturingLogger } from '../logging/capturing-logger.js';
import { SourceTaskHarness } from './source-task-harness.js';

const PARTITION = { stream: 'numbers' };

/** Emits `total` numbered records, `perPoll` at a time, resuming after the committed `next`. */
class CountingTask implements SourceTask {
  context: SourceTaskContext | null = null;
  next = 0;
  commits = 0;
  stopped = 0;
  readonly acked: { value: unknown; metadata: RecordMetadata | null }[] = [];
  readonly events: string[] = [];

  constructor(
    private readonly total: number,
    private readonly perPoll = 2,
  ) {}

  initialize(context: SourceTaskContext): void {
    this.context = context;
  }
  async start(_config: TaskConfig): Promise<void> {
    const offset = await this.context?.offsetStorageReader.offset({ stream: 'numbers' });
    this.next = typeof offset?.['next'] === 'number' ? offset['next'] : 0;
  }
  async poll(signal: AbortSignal): Promise<SourceRecord[] | null> {
    if (this.next >= this.total) {
      // nothing left: wait like a real task would, but give up when aborted
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          this.events.push('poll-aborted');
          resolve();
        });
      });
      return null;
    }
    const out: SourceRecord[] = [];
    for (let i = 0; i < this.perPoll && this.next < this.total; i++) {
      out.push(
        sourceRecord({
          sourcePartition: PARTITION,
          sourceOffset: { next: this.next + 1 },
          topic: 't',
          value: this.next,
        }),
      );
      this.next++;
    }
    return out;
  }
  commit(): void {
    this.commits++;
  }
  commitRecord(record: SourceRecord, metadata: RecordMetadata | null): void {
    this.acked.push({ value: record.value, metadata });
  }
  stop(): void {
    this.events.push('stop');
    this.stopped++;
  }
}

const config = { topic: 't' };

describe('SourceTaskHarness', () => {
  it('gives the task a context whose offset reader returns the seeded committed offsets', async () => {
    const task = new CountingTask(10);
    const harness = await SourceTaskHarness.start(() => task, {
      config,
      connectorName: 'numbers',
      taskId: 3,
      committedOffsets: [{ partition: { stream: 'numbers' }, offset: { next: 7 } }],
    });
    expect(task.context?.connectorName).toBe('numbers');
    expect(task.context?.taskId).toBe(3);
    expect(task.context?.config).toEqual(config);
    const records = await harness.pollRecords(3);
    expect(records.map((r) => r.value)).toEqual([7, 8, 9]);
    await harness.stop();
  });

  it('acknowledges each polled record with increasing synthetic log offsets', async () => {
    const task = new CountingTask(5);
    const harness = await SourceTaskHarness.start(() => task, { config });
    await harness.pollRecords(5);
    expect(task.acked.map((a) => a.value)).toEqual([0, 1, 2, 3, 4]);
    expect(task.acked.map((a) => a.metadata?.offset)).toEqual([0, 1, 2, 3, 4]);
    expect(task.acked.every((a) => a.metadata?.topic === 't' && a.metadata.partition === 0)).toBe(true);
    expect(harness.records).toHaveLength(5);
    await harness.stop();
  });

  it('passes null metadata for records an isFiltered hook drops, and still commits their offsets', async () => {
    const task = new CountingTask(4);
    const harness = await SourceTaskHarness.start(() => task, { config, isFiltered: (r) => r.value === 3 });
    await harness.pollRecords(4);
    expect(task.acked.map((a) => a.metadata === null)).toEqual([false, false, false, true]);
    await harness.commitOffsets();
    expect(harness.committedOffset(PARTITION)).toEqual({ next: 4 });
    await harness.stop();
  });

  it('commits the latest offset per source partition and then calls task.commit()', async () => {
    const task = new CountingTask(10, 3);
    const harness = await SourceTaskHarness.start(() => task, { config });
    expect(harness.committedOffsets()).toEqual([]);
    await harness.poll();
    expect(harness.committedOffset(PARTITION)).toBeNull();
    const flushed = await harness.commitOffsets();
    expect(flushed).toEqual([{ partition: PARTITION, offset: { next: 3 } }]);
    expect(task.commits).toBe(1);
    // partition maps match by content, not by key order or identity
    expect(harness.committedOffset({ ...PARTITION })).toEqual({ next: 3 });
    await harness.stop();
  });

  it('restarts a crashed task from the committed offsets, redelivering what was not committed', async () => {
    const tasks: CountingTask[] = [];
    const harness = await SourceTaskHarness.start(
      () => {
        const t = new CountingTask(6, 2);
        tasks.push(t);
        return t;
      },
      { config },
    );
    await harness.poll();
    await harness.commitOffsets();
    await harness.poll(); // values 2, 3: polled but never committed
    await harness.restart();
    expect(tasks).toHaveLength(2);
    expect(tasks[0]?.stopped).toBe(1);
    expect(harness.task).toBe(tasks[1]);
    const after = await harness.pollRecords(4);
    expect(after.map((r) => r.value)).toEqual([2, 3, 4, 5]);
    expect(harness.records.map((r) => r.value)).toEqual([0, 1, 2, 3, 2, 3, 4, 5]);
    await harness.stop();
  });

  it('commits before stopping on a graceful restart', async () => {
    const harness = await SourceTaskHarness.start(() => new CountingTask(4, 2), { config });
    await harness.poll();
    await harness.restart({ graceful: true });
    expect((await harness.pollRecords(2)).map((r) => r.value)).toEqual([2, 3]);
    await harness.stop();
  });

  it('aborts an in-flight poll before stopping the task, and stops only once', async () => {
    const task = new CountingTask(0);
    const harness = await SourceTaskHarness.start(() => task, { config });
    const polling = harness.poll();
    await new Promise((r) => setTimeout(r, 5));
    await Promise.all([harness.stop(), harness.stop()]);
    await harness.stop();
    expect(await polling).toEqual([]);
    expect(task.events).toEqual(['poll-aborted', 'stop']);
    await expect(harness.poll()).rejects.toSatisfy(IllegalStateError.is);
  });

  it('stops a task that was never started', async () => {
    const task = new CountingTask(0);
    const harness = new SourceTaskHarness(() => task, { config });
    await harness.stop();
    expect(task.stopped).toBe(1);
  });

  it('rejects a poll before start', async () => {
    const harness = new SourceTaskHarness(() => new CountingTask(1), { config });
    await expect(harness.poll()).rejects.toSatisfy(IllegalStateError.is);
  });

  it('throws a TIMEOUT error from pollUntil when the predicate never holds', async () => {
    const harness = await SourceTaskHarness.start(() => new CountingTask(3), { config });
    const started = Date.now();
    const err = await harness.pollRecords(10, { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(ConnectError.hasCode(err, 'TIMEOUT')).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(harness.records).toHaveLength(3);
    await harness.stop();
  });

  it('retries retriable poll failures in pollUntil and propagates fatal ones', async () => {
    let calls = 0;
    const flaky: SourceTask = {
      start() {},
      async poll() {
        calls++;
        if (calls === 1) throw new RetriableError('broker busy');
        if (calls === 2)
          return [sourceRecord({ sourcePartition: PARTITION, sourceOffset: { n: 1 }, topic: 't', value: 'x' })];
        throw new Error('disk on fire');
      },
      stop() {},
    };
    const logger = new CapturingLogger();
    const harness = await SourceTaskHarness.start(() => flaky, { config, logger });
    expect((await harness.pollRecords(1)).map((r) => r.value)).toEqual(['x']);
    expect(logger.has('warn', 'retriable')).toBe(true);
    await expect(harness.pollRecords(1)).rejects.toThrow('disk on fire');
    await harness.stop();
  });
});
