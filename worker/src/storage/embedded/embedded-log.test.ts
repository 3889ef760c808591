import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataError, IllegalStateError, NotFoundError } from '@sluice/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultPartition } from '../../log/partitioner.js';
import { EmbeddedLog } from './embedded-log.js';

const b = (s: string): Buffer => Buffer.from(s, 'utf8');
const text = (buf: Buffer | null): string | null => (buf === null ? null : buf.toString('utf8'));

let dir: string;
let log: EmbeddedLog;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-embedded-log-'));
  log = await EmbeddedLog.open({ dataDir: dir, sync: 'normal', compactionIntervalMs: 0, retentionCheckIntervalMs: 0 });
});

afterEach(async () => {
  await log.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('topics', () => {
  it('creates a topic once and reports false when it already exists', async () => {
    expect(await log.createTopic({ name: 'orders', partitions: 3 })).toBe(true);
    expect(await log.createTopic({ name: 'orders', partitions: 5 })).toBe(false);
    expect((await log.describeTopic('orders'))?.partitions).toBe(3);
    expect(await log.listTopics()).toEqual(['orders']);
  });

  it('describes configs with Kafka defaults filled in and the policy normalised', async () => {
    await log.createTopic({ name: 'c', partitions: 1, configs: { 'cleanup.policy': 'delete,compact', 'x.custom': 'kept' } });
    await log.createTopic({ name: 'd', partitions: -1 });
    const c = await log.describeTopic('c');
    expect(c?.configs['cleanup.policy']).toBe('compact,delete');
    expect(c?.configs['x.custom']).toBe('kept');
    expect(c?.configs['delete.retention.ms']).toBe('86400000');
    const d = await log.describeTopic('d');
    expect(d).toEqual(expect.objectContaining({ name: 'd', partitions: 1 }));
    expect(d?.configs['cleanup.policy']).toBe('delete');
    expect(d?.configs['retention.ms']).toBe(String(7 * 24 * 3600 * 1000));
    expect(await log.describeTopic('missing')).toBeNull();
  });

  it('rejects invalid topic names, partition counts and configs', async () => {
    await expect(log.createTopic({ name: 'bad name', partitions: 1 })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await expect(log.createTopic({ name: 'ok', partitions: 0 })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await expect(log.createTopic({ name: 'ok', partitions: 1, configs: { 'cleanup.policy': 'forever' } })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      fields: [{ name: 'cleanup.policy', errors: [expect.any(String)] }],
    });
    await expect(log.createTopic({ name: 'ok', partitions: 1, configs: { 'retention.ms': 'soon' } })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
    expect(await log.listTopics()).toEqual([]);
  });

  it('deletes a topic with its records and group offsets', async () => {
    await log.createTopic({ name: 't', partitions: 1 });
    await log.produce('t', [{ key: null, value: b('v') }]);
    await log.commitGroupOffsets('g', [{ topic: 't', partition: 0, offset: 1 }]);
    await log.deleteTopic('t');
    expect(await log.describeTopic('t')).toBeNull();
    expect(await log.fetchGroupOffsets('g')).toEqual([]);
    await expect(log.deleteTopic('t')).rejects.toSatisfy(NotFoundError.is);
    await log.createTopic({ name: 't', partitions: 1 });
    expect(await log.endOffsets('t')).toEqual([0]);
  });
});

describe('produce and fetch', () => {
  it('appends contiguous offsets per partition and reads them back in order', async () => {
    await log.createTopic({ name: 't', partitions: 2 });
    const first = await log.produce('t', [
      { key: null, value: b('a'), partition: 0 },
      { key: null, value: b('b'), partition: 1 },
      { key: null, value: b('c'), partition: 0 },
    ]);
    expect(first.map((a) => [a.partition, a.offset])).toEqual([
      [0, 0],
      [1, 0],
      [0, 1],
    ]);
    const second = await log.produce('t', [{ key: null, value: b('d'), partition: 0 }]);
    expect(second[0]).toMatchObject({ topic: 't', partition: 0, offset: 2 });
    const records = await log.fetch('t', 0, 0);
    expect(records.map((r) => [r.offset, text(r.value)])).toEqual([
      [0, 'a'],
      [1, 'c'],
      [2, 'd'],
    ]);
    expect(await log.endOffsets('t')).toEqual([3, 1]);
    expect(await log.startOffsets('t')).toEqual([0, 0]);
  });

  it('returns one ack per record in input order with the record timestamp', async () => {
    await log.createTopic({ name: 't', partitions: 1 });
    const before = Date.now();
    const acks = await log.produce('t', [
      { key: null, value: b('1'), timestamp: 1234 },
      { key: null, value: b('2') },
    ]);
    expect(acks[0]).toEqual({ topic: 't', partition: 0, offset: 0, timestamp: 1234 });
    expect(acks[1]!.offset).toBe(1);
    expect(acks[1]!.timestamp).toBeGreaterThanOrEqual(before);
    const [r0, r1] = await log.fetch('t', 0, 0);
    expect(r0!.timestamp).toBe(1234);
    expect(r1!.timestamp).toBe(acks[1]!.timestamp);
  });

  it('round-trips keys, values and headers including nulls and empty buffers', async () => {
    await log.createTopic({ name: 't', partitions: 1 });
    await log.produce('t', [
      { key: Buffer.alloc(0), value: null, headers: [{ key: 'h1', value: b('x') }, { key: 'h1', value: null }, { key: 'é', value: Buffer.alloc(0) }] },
      { key: null, value: Buffer.from([0, 255, 1]) },
    ]);
    const [r0, r1] = await log.fetch('t', 0, 0);
    expect(r0!.key).toEqual(Buffer.alloc(0));
    expect(r0!.value).toBeNull();
    expect(r0!.headers).toEqual([
      { key: 'h1', value: b('x') },
      { key: 'h1', value: null },
      { key: 'é', value: Buffer.alloc(0) },
    ]);
    expect(r1!.key).toBeNull();
    expect(r1!.value).toEqual(Buffer.from([0, 255, 1]));
    expect(r1!.headers).toEqual([]);
  });

  it('places keyed records on the partition Kafka would choose and spreads null keys round-robin', async () => {
    await log.createTopic({ name: 't', partitions: 4 });
    const keys = Array.from({ length: 20 }, (_, i) => b(`key-${i}`));
    const acks = await log.produce('t', keys.map((key) => ({ key, value: b('v') })));
    acks.forEach((ack, i) => expect(ack.partition).toBe(defaultPartition(keys[i]!, 4)));
    const nullAcks = await log.produce('t', Array.from({ length: 8 }, () => ({ key: null, value: b('v') })));
    const counts = [0, 0, 0, 0];
    for (const a of nullAcks) counts[a.partition]!++;
    expect(counts).toEqual([2, 2, 2, 2]);
  });

  it('limits a fetch to maxRecords and continues from a later offset', async () => {
    await log.createTopic({ name: 't', partitions: 1 });
    await log.produce('t', Array.from({ length: 10 }, (_, i) => ({ key: null, value: b(String(i)) })));
    expect((await log.fetch('t', 0, 0, { maxRecords: 4 })).map((r) => r.offset)).toEqual([0, 1, 2, 3]);
    expect((await log.fetch('t', 0, 7)).map((r) => r.offset)).toEqual([7, 8, 9]);
    expect(await log.fetch('t', 0, 10)).toEqual([]);
    expect(await log.fetch('t', 0, 50)).toEqual([]);
  });

  it('rejects producing to a missing topic with NotFoundError and to a bad partition with DataError', async () => {
    await expect(log.produce('nope', [{ key: null, value: b('v') }])).rejects.toSatisfy(NotFoundError.is);
    await log.createTopic({ name: 't', partitions: 2 });
    await expect(
      log.produce('t', [
        { key: null, value: b('ok'), partition: 0 },
        { key: null, value: b('bad'), partition: 2 },
      ]),
    ).rejects.toSatisfy(DataError.is);
    // The batch is all-or-nothing.
    expect(await log.endOffsets('t')).toEqual([0, 0]);
    await expect(log.fetch('t', 5, 0)).rejects.toSatisfy(DataError.is);
    await expect(log.fetch('nope', 0, 0)).rejects.toSatisfy(NotFoundError.is);
    await expect(log.fetch('t', 0, -1)).rejects.toSatisfy(DataError.is);
  });

  it('keeps records, offsets and topics across a close and reopen', async () => {
    await log.createTopic({ name: 't', partitions: 2, configs: { 'cleanup.policy': 'compact' } });
    await log.produce('t', [
      { key: b('k'), value: b('1'), partition: 1 },
      { key: b('k'), value: b('2'), partition: 1 },
    ]);
    await log.close();
    log = await EmbeddedLog.open({ dataDir: dir, compactionIntervalMs: 0, retentionCheckIntervalMs: 0 });
    expect((await log.describeTopic('t'))?.configs['cleanup.policy']).toBe('compact');
    expect(await log.endOffsets('t')).toEqual([0, 2]);
    const acks = await log.produce('t', [{ key: b('k'), value: b('3'), partition: 1 }]);
    expect(acks[0]!.offset).toBe(2);
    expect((await log.fetch('t', 1, 0)).map((r) => text(r.value))).toEqual(['1', '2', '3']);
  });
});

describe('long-poll fetch', () => {
  it('wakes as soon as a record is appended to the partition', async () => {
    await log.createTopic({ name: 't', partitions: 2 });
    const started = Date.now();
    const pending = log.fetch('t', 1, 0, { maxWaitMs: 10_000 });
    setTimeout(() => void log.produce('t', [{ key: null, value: b('late'), partition: 1 }]), 50);
    const records = await pending;
    expect(records.map((r) => text(r.value))).toEqual(['late']);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('keeps waiting when another partition receives records', async () => {
    await log.createTopic({ name: 't', partitions: 2 });
    const pending = log.fetch('t', 0, 0, { maxWaitMs: 300 });
    await log.produce('t', [{ key: null, value: b('other'), partition: 1 }]);
    expect(await pending).toEqual([]);
  });

  it('returns empty after maxWaitMs when nothing arrives', async () => {
    await log.createTopic({ name: 't', partitions: 1 });
    const started = Date.now();
    expect(await log.fetch('t', 0, 0, { maxWaitMs: 150 })).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('returns promptly with nothing when the signal aborts', async () => {
    await log.createTopic({ name: 't', partitions: 1 });
    const abort = new AbortController();
    const started = Date.now();
    const pending = log.fetch('t', 0, 0, { maxWaitMs: 10_000, signal: abort.signal });
    setTimeout(() => abort.abort(), 30);
    expect(await pending).toEqual([]);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('wakes waiting fetches when the log closes', async () => {
    await log.createTopic({ name: 't', partitions: 1 });
    const pending = log.fetch('t', 0, 0, { maxWaitMs: 10_000 });
    const started = Date.now();
    await log.close();
    expect(await pending).toEqual([]);
    expect(Date.now() - started).toBeLessThan(5_000);
    await expect(log.fetch('t', 0, 0)).rejects.toSatisfy(IllegalStateError.is);
  });

  it('rejects a waiting fetch with NotFoundError when its topic is deleted', async () => {
    await log.createTopic({ name: 't', partitions: 1 });
    const pending = log.fetch('t', 0, 0, { maxWaitMs: 10_000 });
    await log.deleteTopic('t');
    await expect(pending).rejects.toSatisfy(NotFoundError.is);
  });
});

describe('group offsets', () => {
  it('commits, overwrites, filters and deletes group offsets', async () => {
    await log.createTopic({ name: 'a', partitions: 2 });
    await log.createTopic({ name: 'b', partitions: 1 });
    await log.commitGroupOffsets('g', [
      { topic: 'a', partition: 0, offset: 5 },
      { topic: 'a', partition: 1, offset: 7 },
      { topic: 'b', partition: 0, offset: 1 },
    ]);
    await log.commitGroupOffsets('g', [{ topic: 'a', partition: 0, offset: 6 }]);
    await log.commitGroupOffsets('other', [{ topic: 'a', partition: 0, offset: 99 }]);
    expect(await log.fetchGroupOffsets('g')).toEqual([
      { topic: 'a', partition: 0, offset: 6 },
      { topic: 'a', partition: 1, offset: 7 },
      { topic: 'b', partition: 0, offset: 1 },
    ]);
    expect(await log.fetchGroupOffsets('g', ['b'])).toEqual([{ topic: 'b', partition: 0, offset: 1 }]);
    await log.deleteGroupOffsets('g', [{ topic: 'a', partition: 1 }]);
    expect((await log.fetchGroupOffsets('g')).map((o) => `${o.topic}-${o.partition}`)).toEqual(['a-0', 'b-0']);
    await log.deleteGroupOffsets('g');
    expect(await log.fetchGroupOffsets('g')).toEqual([]);
    expect(await log.fetchGroupOffsets('other')).toEqual([{ topic: 'a', partition: 0, offset: 99 }]);
  });

  it('rejects commits for unknown topics, bad partitions and negative offsets without writing any', async () => {
    await log.createTopic({ name: 'a', partitions: 1 });
    await expect(log.commitGroupOffsets('g', [{ topic: 'zzz', partition: 0, offset: 1 }])).rejects.toSatisfy(NotFoundError.is);
    await expect(
      log.commitGroupOffsets('g', [
        { topic: 'a', partition: 0, offset: 1 },
        { topic: 'a', partition: 3, offset: 1 },
      ]),
    ).rejects.toSatisfy(DataError.is);
    await expect(log.commitGroupOffsets('g', [{ topic: 'a', partition: 0, offset: -1 }])).rejects.toSatisfy(DataError.is);
    expect(await log.fetchGroupOffsets('g')).toEqual([]);
  });

  it('keeps committed offsets across a reopen', async () => {
    await log.createTopic({ name: 'a', partitions: 1 });
    await log.commitGroupOffsets('g', [{ topic: 'a', partition: 0, offset: 3 }]);
    await log.close();
    log = await EmbeddedLog.open({ dataDir: dir, compactionIntervalMs: 0, retentionCheckIntervalMs: 0 });
    expect(await log.fetchGroupOffsets('g')).toEqual([{ topic: 'a', partition: 0, offset: 3 }]);
  });
});

describe('close', () => {
  it('is idempotent and makes later calls reject with IllegalStateError', async () => {
    await log.createTopic({ name: 't', partitions: 1 });
    await Promise.all([log.close(), log.close()]);
    await log.close();
    await expect(log.produce('t', [{ key: null, value: b('v') }])).rejects.toSatisfy(IllegalStateError.is);
    await expect(log.listTopics()).rejects.toSatisfy(IllegalStateError.is);
  });
});
