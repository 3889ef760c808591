import { describe, expect, it } from 'vitest';
import {
  IllegalStateError,
  tpKey,
  type SinkOffsets,
  type SinkRecord,
  type SinkTask,
  type SinkTaskContext,
  type TaskConfig,
  type TopicPartition,
} from '@sluice/core';
import { sinkRecords } from './sink-records.js';
import { SinkTaskHarness } from './sink-task-harness.js';

const TP0: TopicPartition = { topic: 'orders', partition: 0 };
const TP1: TopicPartition = { topic: 'orders', partition: 1 };

/** Buffers values in memory; `flush` moves them to `durable`. Records the call sequence. */
class BufferingTask implements SinkTask {
  context: SinkTaskContext | null = null;
  readonly calls: string[] = [];
  readonly buffered: unknown[] = [];
  readonly durable: unknown[] = [];
  flushedWith: SinkOffsets | null = null;
  failClose = false;

  initialize(context: SinkTaskContext): void {
    this.context = context;
  }
  start(_config: TaskConfig): void {
    this.calls.push('start');
  }
  open(partitions: readonly TopicPartition[]): void {
    this.calls.push(`open ${partitions.map(tpKey).join(',')}`);
  }
  put(records: readonly SinkRecord[]): void {
    this.calls.push(`put ${records.length}`);
    this.buffered.push(...records.map((r) => r.value));
  }
  flush(offsets: SinkOffsets): void {
    this.calls.push('flush');
    this.flushedWith = offsets;
    this.durable.push(...this.buffered.splice(0));
  }
  close(partitions: readonly TopicPartition[]): void {
    this.calls.push(`close ${partitions.map(tpKey).join(',')}`);
    if (this.failClose) throw new Error('close failed');
  }
  stop(): void {
    this.calls.push('stop');
  }
}

const config = { topics: 'orders' };

describe('SinkTaskHarness', () => {
  it('flushes and commits the next offset of each partition by default', async () => {
    const task = new BufferingTask();
    const harness = await SinkTaskHarness.start(task, { config, partitions: [TP0, TP1] });
    await harness.put(sinkRecords('orders', 0, ['a', 'b', 'c'], 10));
    await harness.put(sinkRecords('orders', 1, ['x'], 0));
    expect(task.durable).toEqual([]);
    const committed = await harness.commit();
    expect(task.durable).toEqual(['a', 'b', 'c', 'x']);
    expect([...committed.values()].map((e) => [tpKey(e.tp), e.offset])).toEqual([
      ['orders-0', 13],
      ['orders-1', 1],
    ]);
    expect(task.flushedWith?.get('orders-0')?.offset).toBe(13);
    expect(harness.committedOffsets().get('orders-1')?.offset).toBe(1);
    await harness.stop();
  });

  it('commits only what preCommit returns', async () => {
    const task: SinkTask = {
      start() {},
      put() {},
      preCommit(offsets) {
        // only partition 0 is durable so far
        return new Map([...offsets].filter(([, e]) => e.tp.partition === 0));
      },
      stop() {},
    };
    const harness = await SinkTaskHarness.start(task, { config, partitions: [TP0, TP1] });
    await harness.put([...sinkRecords('orders', 0, [1, 2]), ...sinkRecords('orders', 1, [3])]);
    const committed = await harness.commit();
    expect([...committed.keys()]).toEqual(['orders-0']);
    expect(harness.committedOffsets().has('orders-1')).toBe(false);
    await harness.stop();
  });

  it('rejects a preCommit that returns offsets beyond what was delivered', async () => {
    const task: SinkTask = {
      start() {},
      put() {},
      preCommit(offsets) {
        return new Map([...offsets].map(([k, e]) => [k, { tp: e.tp, offset: e.offset + 5 }]));
      },
      stop() {},
    };
    const harness = await SinkTaskHarness.start(task, { config, partitions: [TP0] });
    await harness.put(sinkRecords('orders', 0, ['a']));
    await expect(harness.commit()).rejects.toSatisfy(IllegalStateError.is);
  });

  it('refuses records for partitions that were not opened', async () => {
    const harness = await SinkTaskHarness.start(new BufferingTask(), { config, partitions: [TP0] });
    await expect(harness.put(sinkRecords('orders', 1, ['a']))).rejects.toSatisfy(IllegalStateError.is);
    expect(harness.currentOffsets().size).toBe(0);
  });

  it('leaves positions untouched when put throws, so the batch counts as undelivered', async () => {
    const task: SinkTask = {
      start() {},
      put() {
        throw new Error('backend down');
      },
      stop() {},
    };
    const harness = await SinkTaskHarness.start(task, { config, partitions: [TP0] });
    await expect(harness.put(sinkRecords('orders', 0, ['a']))).rejects.toThrow('backend down');
    expect(harness.currentOffsets().size).toBe(0);
  });

  it('applies rewinds requested through context.offset to the next commit', async () => {
    const task = new BufferingTask();
    const harness = await SinkTaskHarness.start(task, { config, partitions: [TP0] });
    await harness.put(sinkRecords('orders', 0, ['a', 'b', 'c', 'd']));
    task.context?.offset(TP0, 2);
    expect(harness.rewinds).toEqual([{ tp: TP0, offset: 2 }]);
    expect((await harness.commit()).get('orders-0')?.offset).toBe(2);
  });

  it('records pauses, commit requests, backoffs and the assignment the task sees', async () => {
    const task = new BufferingTask();
    const harness = await SinkTaskHarness.start(task, { config, partitions: [TP0, TP1] });
    const ctx = task.context;
    expect(ctx?.assignment()).toEqual([TP0, TP1]);
    ctx?.pause(TP0, TP1);
    ctx?.resume(TP1);
    expect(harness.paused()).toEqual([TP0]);
    ctx?.requestCommit();
    expect(harness.commitRequested).toBe(true);
    await harness.commit();
    expect(harness.commitRequested).toBe(false);
    ctx?.timeout(250);
    expect(harness.timeoutMs).toBe(250);
  });

  it('collects errant-record reports, or gives a null reporter when disabled', async () => {
    const task = new BufferingTask();
    const harness = await SinkTaskHarness.start(task, { config, partitions: [TP0] });
    const [record] = sinkRecords('orders', 0, ['bad']);
    await task.context?.errantRecordReporter?.(record!, new Error('unparseable'));
    expect(harness.errantRecords.map((r) => [r.record.value, r.error.message])).toEqual([['bad', 'unparseable']]);

    const silent = new BufferingTask();
    await SinkTaskHarness.start(silent, { config, errantRecordReporter: false });
    expect(silent.context?.errantRecordReporter).toBeNull();
  });

  it('commits revoked partitions before closing them', async () => {
    const task = new BufferingTask();
    const harness = await SinkTaskHarness.start(task, { config, partitions: [TP0, TP1] });
    await harness.put(sinkRecords('orders', 1, ['x', 'y']));
    await harness.close([TP1]);
    expect(task.calls.slice(-2)).toEqual(['flush', 'close orders-1']);
    expect(harness.committedOffsets().get('orders-1')?.offset).toBe(2);
    expect(harness.assignment()).toEqual([TP0]);
  });

  it('on stop commits and closes every partition, then stops, even when close fails', async () => {
    const task = new BufferingTask();
    task.failClose = true;
    const harness = await SinkTaskHarness.start(task, { config, partitions: [TP0] });
    await harness.put(sinkRecords('orders', 0, ['a']));
    await expect(harness.stop()).rejects.toThrow('close failed');
    await expect(harness.stop()).rejects.toThrow('close failed');
    expect(task.calls).toEqual(['start', 'open orders-0', 'put 1', 'flush', 'close orders-0', 'stop']);
    expect(task.durable).toEqual(['a']);
  });

  it('stops a task that was never started without closing anything', async () => {
    const task = new BufferingTask();
    await new SinkTaskHarness(task, { config }).stop();
    expect(task.calls).toEqual(['stop']);
  });
});

describe('sinkRecords', () => {
  it('builds consecutive records for one partition from a start offset', () => {
    const records = sinkRecords('t', 2, ['a', null, 'c'], 40, { keyFor: (i) => `k${i}`, timestamp: 1000 });
    expect(records.map((r) => [r.topic, r.kafkaPartition, r.kafkaOffset, r.key, r.value, r.timestamp])).toEqual([
      ['t', 2, 40, 'k0', 'a', 1000],
      ['t', 2, 41, 'k1', null, 1001],
      ['t', 2, 42, 'k2', 'c', 1002],
    ]);
    expect(records.every((r) => r.kind === 'sink' && Object.isFrozen(r))).toBe(true);
  });
});
