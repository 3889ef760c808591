import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataError, IllegalStateError } from '@sluice/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LogRecord, RebalanceListener } from '../../log/log.js';
import type { EmbeddedGroupConsumer } from './embedded-group-consumer.js';
import { EmbeddedLog } from './embedded-log.js';

const b = (s: string): Buffer => Buffer.from(s, 'utf8');
const tps = (list: readonly { topic: string; partition: number }[]): string[] => list.map((tp) => `${tp.topic}-${tp.partition}`);
const offsets = (records: LogRecord[]): string[] => records.map((r) => `${r.topic}-${r.partition}@${r.offset}`);

type Event = ['assigned' | 'revoked', string[]];

class RecordingListener implements RebalanceListener {
  readonly events: Event[] = [];
  onAssigned?: (partitions: readonly { topic: string; partition: number }[]) => void | Promise<void>;
  onRevoked?: (partitions: readonly { topic: string; partition: number }[]) => void | Promise<void>;

  async onPartitionsAssigned(partitions: readonly { topic: string; partition: number }[]): Promise<void> {
    this.events.push(['assigned', tps(partitions)]);
    await this.onAssigned?.(partitions);
  }

  async onPartitionsRevoked(partitions: readonly { topic: string; partition: number }[]): Promise<void> {
    this.events.push(['revoked', tps(partitions)]);
    await this.onRevoked?.(partitions);
  }
}

let dir: string;
let log: EmbeddedLog;
const consumers: EmbeddedGroupConsumer[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-group-'));
  log = await EmbeddedLog.open({ dataDir: dir, sync: 'normal', compactionIntervalMs: 0, retentionCheckIntervalMs: 0 });
});

afterEach(async () => {
  await Promise.allSettled(consumers.splice(0).map((c) => c.close()));
  await log.close();
  rmSync(dir, { recursive: true, force: true });
});

async function member(topics: string[] | RegExp, groupId = 'g'): Promise<{ consumer: EmbeddedGroupConsumer; listener: RecordingListener }> {
  const consumer = log.groupConsumer(groupId);
  consumers.push(consumer);
  const listener = new RecordingListener();
  await consumer.subscribe(Array.isArray(topics) ? { topics } : { topicsRegex: topics }, listener);
  return { consumer, listener };
}

async function fill(topic: string, partitions: number, perPartition: number): Promise<void> {
  const records = [];
  for (let p = 0; p < partitions; p++) for (let i = 0; i < perPartition; i++) records.push({ key: null, value: b(`${p}:${i}`), partition: p });
  await log.produce(topic, records);
}

describe('assignment', () => {
  it('gives a lone member every partition of its topics on its first poll', async () => {
    await log.createTopic({ name: 't', partitions: 3 });
    await log.createTopic({ name: 'ignored', partitions: 1 });
    const { consumer, listener } = await member(['t']);
    expect(consumer.assignment()).toEqual([]);
    await consumer.poll();
    expect(listener.events).toEqual([['assigned', ['t-0', 't-1', 't-2']]]);
    expect(tps(consumer.assignment())).toEqual(['t-0', 't-1', 't-2']);
  });

  it('shares partitions round-robin between members ordered by member id', async () => {
    await log.createTopic({ name: 't', partitions: 4 });
    const a = await member(['t']);
    const c = await member(['t']);
    await a.consumer.poll();
    await c.consumer.poll();
    await a.consumer.poll();
    await c.consumer.poll();
    expect(tps(a.consumer.assignment())).toEqual(['t-0', 't-2']);
    expect(tps(c.consumer.assignment())).toEqual(['t-1', 't-3']);
  });

  it('revokes only the partitions that move when a member joins', async () => {
    await log.createTopic({ name: 't', partitions: 4 });
    const a = await member(['t']);
    await a.consumer.poll();
    const c = await member(['t']);
    await a.consumer.poll();
    await c.consumer.poll();
    expect(a.listener.events).toEqual([
      ['assigned', ['t-0', 't-1', 't-2', 't-3']],
      ['revoked', ['t-1', 't-3']],
    ]);
    expect(c.listener.events).toEqual([['assigned', ['t-1', 't-3']]]);
  });

  it('hands a partition to its new owner only after the old owner gave it up', async () => {
    await log.createTopic({ name: 't', partitions: 2 });
    await fill('t', 2, 3);
    const a = await member(['t']);
    await a.consumer.poll({ maxRecords: 1 });
    const c = await member(['t']);
    // a has not polled since c joined, so it still owns t-1 and c must not read it yet.
    expect(await c.consumer.poll()).toEqual([]);
    expect(c.consumer.assignment()).toEqual([]);
    const waiting = c.consumer.poll({ maxWaitMs: 10_000 });
    const started = Date.now();
    await a.consumer.poll({ maxRecords: 1 });
    expect(tps(a.consumer.assignment())).toEqual(['t-0']);
    expect(offsets(await waiting)).toEqual(['t-1@0', 't-1@1', 't-1@2']);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('gives the partitions of a member that leaves to the remaining members', async () => {
    await log.createTopic({ name: 't', partitions: 2 });
    const a = await member(['t']);
    const c = await member(['t']);
    await a.consumer.poll();
    await c.consumer.poll();
    await c.consumer.close();
    expect(c.listener.events.at(-1)).toEqual(['revoked', ['t-1']]);
    await a.consumer.poll();
    expect(tps(a.consumer.assignment())).toEqual(['t-0', 't-1']);
    expect(a.listener.events.at(-1)).toEqual(['assigned', ['t-1']]);
  });

  it('assigns topics created later that match a regex subscription, matching whole names', async () => {
    const { consumer, listener } = await member(/data-.*/);
    expect(await consumer.poll()).toEqual([]);
    await log.createTopic({ name: 'data-a', partitions: 1 });
    await log.createTopic({ name: 'my-data-b', partitions: 1 });
    await log.produce('data-a', [{ key: null, value: b('x') }]);
    expect(offsets(await consumer.poll({ maxWaitMs: 1000 }))).toEqual(['data-a-0@0']);
    expect(listener.events).toEqual([['assigned', ['data-a-0']]]);
  });

  it('wakes a waiting poll when a subscribed topic is created', async () => {
    const { consumer } = await member(['later']);
    const waiting = consumer.poll({ maxWaitMs: 10_000 });
    await new Promise((r) => setTimeout(r, 20));
    await log.createTopic({ name: 'later', partitions: 1 });
    await log.produce('later', [{ key: null, value: b('hi') }]);
    expect(offsets(await waiting)).toEqual(['later-0@0']);
  });

  it('revokes the partitions of a deleted topic', async () => {
    await log.createTopic({ name: 't', partitions: 1 });
    await log.createTopic({ name: 'u', partitions: 1 });
    const { consumer, listener } = await member(['t', 'u']);
    await consumer.poll();
    await log.deleteTopic('t');
    await consumer.poll();
    expect(listener.events.at(-1)).toEqual(['revoked', ['t-0']]);
    expect(tps(consumer.assignment())).toEqual(['u-0']);
  });

  it('applies the change and rethrows when a listener callback fails', async () => {
    await log.createTopic({ name: 't', partitions: 1 });
    const { consumer, listener } = await member(['t']);
    listener.onAssigned = () => {
      throw new Error('listener broke');
    };
    await expect(consumer.poll()).rejects.toThrow('listener broke');
    expect(tps(consumer.assignment())).toEqual(['t-0']);
  });
});

describe('positions and commits', () => {
  it('starts at the committed offset, else at the first offset still in the partition', async () => {
    await log.createTopic({ name: 't', partitions: 2, configs: { 'retention.ms': '1000' } });
    const old = Date.now() - 10_000;
    await log.produce('t', [
      { key: null, value: b('p0-0'), partition: 0 },
      { key: null, value: b('p0-1'), partition: 0 },
      { key: null, value: b('p0-2'), partition: 0 },
      { key: null, value: b('p1-0'), partition: 1, timestamp: old },
      { key: null, value: b('p1-1'), partition: 1 },
    ]);
    await log.enforceRetention();
    await log.commitGroupOffsets('g', [{ topic: 't', partition: 0, offset: 2 }]);
    const { consumer } = await member(['t']);
    expect(offsets(await consumer.poll())).toEqual(['t-0@2', 't-1@1']);
  });

  it('lets the next owner continue from what the previous owner committed on revocation', async () => {
    await log.createTopic({ name: 't', partitions: 2 });
    await fill('t', 2, 4);
    const a = await member(['t']);
    a.listener.onRevoked = async (revoked) => {
      const positions = revoked.map((tp) => ({ ...tp, offset: a.consumer.position(tp) ?? 0 }));
      await a.consumer.commit(positions);
    };
    // Read two records of each partition.
    expect(offsets(await a.consumer.poll({ maxRecords: 4 }))).toEqual(['t-0@0', 't-0@1', 't-1@0', 't-1@1']);
    const c = await member(['t']);
    await a.consumer.poll({ maxRecords: 1 });
    expect(await log.fetchGroupOffsets('g')).toEqual([{ topic: 't', partition: 1, offset: 2 }]);
    expect(offsets(await c.consumer.poll())).toEqual(['t-1@2', 't-1@3']);
  });

  it('seeks, including from inside onPartitionsAssigned', async () => {
    await log.createTopic({ name: 't', partitions: 1 });
    await fill('t', 1, 5);
    const { consumer, listener } = await member(['t']);
    listener.onAssigned = (assigned) => {
      for (const tp of assigned) consumer.seek(tp, 3);
    };
    expect(offsets(await consumer.poll())).toEqual(['t-0@3', 't-0@4']);
    consumer.seek({ topic: 't', partition: 0 }, 1);
    expect(offsets(await consumer.poll({ maxRecords: 1 }))).toEqual(['t-0@1']);
    expect(() => consumer.seek({ topic: 't', partition: 0 }, -1)).toThrow(DataError);
  });

  it('skips paused partitions until they are resumed', async () => {
    await log.createTopic({ name: 't', partitions: 2 });
    await fill('t', 2, 1);
    const { consumer } = await member(['t']);
    await consumer.poll({ maxRecords: 1 });
    consumer.seek({ topic: 't', partition: 0 }, 0);
    consumer.seek({ topic: 't', partition: 1 }, 0);
    consumer.pause([{ topic: 't', partition: 0 }]);
    expect(offsets(await consumer.poll())).toEqual(['t-1@0']);
    expect(await consumer.poll({ maxWaitMs: 50 })).toEqual([]);
    consumer.resume([{ topic: 't', partition: 0 }]);
    expect(offsets(await consumer.poll())).toEqual(['t-0@0']);
  });

  it('refuses to commit, seek or pause partitions it does not own', async () => {
    await log.createTopic({ name: 't', partitions: 1 });
    const { consumer } = await member(['t']);
    const other = { topic: 't', partition: 0 };
    await expect(consumer.commit([{ ...other, offset: 1 }])).rejects.toSatisfy(IllegalStateError.is);
    expect(() => consumer.seek(other, 0)).toThrow(/not assigned/);
    expect(() => consumer.pause([other])).toThrow(/not assigned/);
    await consumer.poll();
    await consumer.commit([{ ...other, offset: 0 }]);
    expect(await log.fetchGroupOffsets('g')).toEqual([{ ...other, offset: 0 }]);
  });
});

describe('poll', () => {
  it('shares maxRecords fairly across partitions and rotates the starting partition', async () => {
    await log.createTopic({ name: 't', partitions: 3 });
    await fill('t', 3, 100);
    const { consumer } = await member(['t']);
    const batch = await consumer.poll({ maxRecords: 30 });
    const perPartition = [0, 1, 2].map((p) => batch.filter((r) => r.partition === p).length);
    expect(perPartition).toEqual([10, 10, 10]);
    const firsts = [];
    for (let i = 0; i < 3; i++) firsts.push((await consumer.poll({ maxRecords: 1 }))[0]!.partition);
    expect(new Set(firsts)).toEqual(new Set([0, 1, 2]));
  });

  it('fills the batch from partitions that have more when others run dry', async () => {
    await log.createTopic({ name: 't', partitions: 2 });
    await log.produce('t', [{ key: null, value: b('x'), partition: 0 }]);
    await log.produce('t', Array.from({ length: 20 }, () => ({ key: null, value: b('y'), partition: 1 })));
    const { consumer } = await member(['t']);
    expect(await consumer.poll({ maxRecords: 10 })).toHaveLength(10);
  });

  it('waits for records and wakes as soon as one is appended', async () => {
    await log.createTopic({ name: 't', partitions: 2 });
    const { consumer } = await member(['t']);
    await consumer.poll();
    const started = Date.now();
    const waiting = consumer.poll({ maxWaitMs: 10_000 });
    setTimeout(() => void log.produce('t', [{ key: null, value: b('v'), partition: 1 }]), 30);
    expect(offsets(await waiting)).toEqual(['t-1@0']);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('returns promptly with nothing when the signal aborts', async () => {
    await log.createTopic({ name: 't', partitions: 1 });
    const { consumer } = await member(['t']);
    const abort = new AbortController();
    const waiting = consumer.poll({ maxWaitMs: 10_000, signal: abort.signal });
    setTimeout(() => abort.abort(), 30);
    expect(await waiting).toEqual([]);
  });

  it('rejects a poll before subscribe and a second concurrent poll', async () => {
    await log.createTopic({ name: 't', partitions: 1 });
    const unsubscribed = log.groupConsumer('g');
    consumers.push(unsubscribed);
    await expect(unsubscribed.poll()).rejects.toSatisfy(IllegalStateError.is);
    const { consumer } = await member(['t']);
    const first = consumer.poll({ maxWaitMs: 200 });
    await expect(consumer.poll()).rejects.toSatisfy(IllegalStateError.is);
    await first;
  });
});

describe('close', () => {
  it('revokes everything, leaves the group and is idempotent', async () => {
    await log.createTopic({ name: 't', partitions: 2 });
    const { consumer, listener } = await member(['t']);
    await consumer.poll();
    await Promise.all([consumer.close(), consumer.close()]);
    expect(listener.events).toEqual([
      ['assigned', ['t-0', 't-1']],
      ['revoked', ['t-0', 't-1']],
    ]);
    expect(consumer.assignment()).toEqual([]);
    await expect(consumer.poll()).rejects.toSatisfy(IllegalStateError.is);
  });

  it('ends a waiting poll promptly', async () => {
    await log.createTopic({ name: 't', partitions: 1 });
    const { consumer } = await member(['t']);
    const started = Date.now();
    const waiting = consumer.poll({ maxWaitMs: 10_000 });
    await new Promise((r) => setTimeout(r, 20));
    await consumer.close();
    expect(await waiting).toEqual([]);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('lets the listener commit while revoking on close', async () => {
    await log.createTopic({ name: 't', partitions: 1 });
    await fill('t', 1, 3);
    const { consumer, listener } = await member(['t']);
    listener.onRevoked = (revoked) => consumer.commit(revoked.map((tp) => ({ ...tp, offset: 3 })));
    await consumer.poll();
    await consumer.close();
    expect(await log.fetchGroupOffsets('g')).toEqual([{ topic: 't', partition: 0, offset: 3 }]);
  });
});
