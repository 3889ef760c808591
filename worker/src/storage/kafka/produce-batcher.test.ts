import { ConnectError, IllegalStateError } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { ProduceBatcher } from './produce-batcher.js';
import type { BatchSender, PartitionResult, PartitionedRecord } from './produce-batcher.js';

/** An in-memory broker: appends each request's records per partition and reports base offsets. */
class FakeSender implements BatchSender {
  readonly requests: Map<string, readonly PartitionedRecord[]>[] = [];
  readonly logs = new Map<string, string[]>();
  resets = 0;
  failNext = 0;
  /** partitions the producer leaves out of its next N requests */
  readonly leaveOut = new Map<string, number>();
  private gate: Promise<void> = Promise.resolve();
  private release: () => void = () => undefined;

  hold(): void {
    this.gate = new Promise((resolve) => (this.release = resolve));
  }
  open(): void {
    this.release();
  }

  async send(topics: ReadonlyMap<string, readonly PartitionedRecord[]>): Promise<PartitionResult[]> {
    this.requests.push(new Map(topics));
    await this.gate;
    if (this.failNext > 0) {
      this.failNext--;
      throw Object.assign(new Error('broker went away'), { name: 'KafkaJSConnectionError' });
    }
    const results: PartitionResult[] = [];
    for (const [topic, records] of topics) {
      const byPartition = new Map<number, PartitionedRecord[]>();
      for (const r of records) byPartition.set(r.partition, [...(byPartition.get(r.partition) ?? []), r]);
      for (const [partition, rs] of byPartition) {
        const key = `${topic}-${partition}`;
        const times = this.leaveOut.get(key) ?? 0;
        if (times > 0) {
          this.leaveOut.set(key, times - 1);
          continue;
        }
        const log = this.logs.get(key) ?? [];
        results.push({ topic, partition, baseOffset: log.length, logAppendTime: -1 });
        for (const r of rs) log.push(r.value!.toString());
        this.logs.set(key, log);
      }
    }
    return results;
  }

  async reset(): Promise<void> {
    this.resets++;
  }
}

const rec = (value: string, partition = 0, timestamp = 1000): PartitionedRecord => ({
  key: null,
  value: Buffer.from(value),
  partition,
  timestamp,
});

describe('ProduceBatcher', () => {
  it('coalesces concurrent calls into one request and acks each record with its own offset', async () => {
    const sender = new FakeSender();
    const batcher = new ProduceBatcher(sender);
    const [a, b, c] = await Promise.all([
      batcher.submit('t', [rec('a0'), rec('a1', 1)]),
      batcher.submit('t', [rec('b0'), rec('b1')]),
      batcher.submit('u', [rec('c0')]),
    ]);
    expect(sender.requests).toHaveLength(1);
    expect(a.map((x) => [x.partition, x.offset])).toEqual([
      [0, 0],
      [1, 0],
    ]);
    expect(b.map((x) => [x.partition, x.offset])).toEqual([
      [0, 1],
      [0, 2],
    ]);
    expect(c).toEqual([{ topic: 'u', partition: 0, offset: 0, timestamp: 1000 }]);
    expect(sender.logs.get('t-0')).toEqual(['a0', 'b0', 'b1']);
  });

  it('keeps one request in flight and sends what queued meanwhile as the next request, in order', async () => {
    const sender = new FakeSender();
    const batcher = new ProduceBatcher(sender);
    sender.hold();
    const first = batcher.submit('t', [rec('1')]);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    const later = [batcher.submit('t', [rec('2')]), batcher.submit('t', [rec('3')])];
    expect(sender.requests).toHaveLength(1);
    sender.open();
    const acks = await Promise.all([first, ...later]);
    expect(sender.requests).toHaveLength(2);
    expect(acks.map((a) => a[0]!.offset)).toEqual([0, 1, 2]);
    expect(sender.logs.get('t-0')).toEqual(['1', '2', '3']);
  });

  it('splits a large call over several requests bounded by maxBatchBytes', async () => {
    const sender = new FakeSender();
    const batcher = new ProduceBatcher(sender, { maxBatchBytes: 300 });
    const records = Array.from({ length: 10 }, (_, i) => rec(`v${i}`.padEnd(100, '.')));
    const acks = await batcher.submit('t', records);
    expect(sender.requests.length).toBeGreaterThanOrEqual(4);
    for (const request of sender.requests) expect(request.get('t')!.length).toBeLessThanOrEqual(2);
    expect(acks.map((a) => a.offset)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('rejects only the callers of a failed request, drops their queued rest, and resets the producer', async () => {
    const sender = new FakeSender();
    const batcher = new ProduceBatcher(sender, { maxBatchBytes: 200 });
    sender.failNext = 1;
    const big = batcher.submit('t', Array.from({ length: 6 }, (_, i) => rec(`x${i}`.padEnd(100, '.'))));
    await expect(big).rejects.toSatisfy((err: unknown) => ConnectError.is(err) && err.retriable);
    expect(sender.resets).toBe(1);
    // None of the failed call's later records was sent after the failure.
    expect(sender.requests).toHaveLength(1);
    const next = await batcher.submit('t', [rec('after')]);
    expect(next[0]!.offset).toBe(0);
    expect(sender.logs.get('t-0')).toEqual(['after']);
  });

  it('resends records of a partition left out of a request, ahead of later records, without shifting offsets', async () => {
    const sender = new FakeSender();
    const batcher = new ProduceBatcher(sender);
    sender.leaveOut.set('t-1', 1);
    sender.hold();
    const first = batcher.submit('t', [rec('p0'), rec('p1', 1)]);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    const second = batcher.submit('t', [rec('q0'), rec('q1', 1)]);
    sender.open();
    const [a, b] = await Promise.all([first, second]);
    // The left-out record went alone, as in its first request; the next call's records after it.
    expect(sender.requests.map((r) => [...r.get('t')!].map((x) => x.value!.toString()))).toEqual([['p0', 'p1'], ['p1'], ['q0', 'q1']]);
    expect(a.map((x) => [x.partition, x.offset])).toEqual([[0, 0], [1, 0]]);
    expect(b.map((x) => [x.partition, x.offset])).toEqual([[0, 1], [1, 1]]);
    expect(sender.logs.get('t-1')).toEqual(['p1', 'q1']);
  });

  it('fails a call whose partition keeps coming back unacknowledged', async () => {
    const sender = new FakeSender();
    const batcher = new ProduceBatcher(sender);
    sender.leaveOut.set('t-1', Number.POSITIVE_INFINITY);
    const [bad, good] = await Promise.allSettled([batcher.submit('t', [rec('p1', 1)]), batcher.submit('t', [rec('q0')])]);
    expect(bad.status === 'rejected' && ConnectError.is(bad.reason) && bad.reason.retriable).toBe(true);
    expect(good.status === 'fulfilled' && good.value[0]!.offset).toBe(0);
    expect(sender.requests.length).toBe(5);
  });

  it('flushes queued records on close and refuses new ones afterwards', async () => {
    const sender = new FakeSender();
    const batcher = new ProduceBatcher(sender);
    const pending = batcher.submit('t', [rec('last')]);
    await batcher.close();
    await expect(pending).resolves.toHaveLength(1);
    await expect(batcher.submit('t', [rec('late')])).rejects.toSatisfy((err: unknown) => IllegalStateError.is(err));
  });
});
