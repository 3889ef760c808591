import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LogRecord } from '../../log/log.js';
import { EmbeddedLog } from './embedded-log.js';
import { cleanupSettings, normalizeTopicConfigs } from './log-cleaner.js';

const b = (s: string): Buffer => Buffer.from(s, 'utf8');
const DAY_MS = 24 * 60 * 60 * 1000;

let dir: string;
let log: EmbeddedLog;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-log-cleaner-'));
  log = await EmbeddedLog.open({ dataDir: dir, sync: 'normal', compactionIntervalMs: 0, retentionCheckIntervalMs: 0 });
});

afterEach(async () => {
  await log.close();
  rmSync(dir, { recursive: true, force: true });
});

async function readAll(topic: string, partition = 0): Promise<LogRecord[]> {
  return log.fetch(topic, partition, 0, { maxRecords: 100_000 });
}

const summary = (records: LogRecord[]): [number, string | null, string | null][] =>
  records.map((r) => [r.offset, r.key?.toString() ?? null, r.value?.toString() ?? null]);

describe('compaction', () => {
  it('keeps only the latest record per key and every null-key record, at their original offsets', async () => {
    await log.createTopic({ name: 'c', partitions: 1, configs: { 'cleanup.policy': 'compact' } });
    await log.produce('c', [
      { key: b('a'), value: b('a1') },
      { key: b('b'), value: b('b1') },
      { key: null, value: b('n1') },
      { key: b('a'), value: b('a2') },
      { key: null, value: b('n2') },
      { key: b('b'), value: b('b2') },
      { key: b('a'), value: b('a3') },
    ]);
    expect(await log.compact('c')).toBe(3);
    expect(summary(await readAll('c'))).toEqual([
      [2, null, 'n1'],
      [4, null, 'n2'],
      [5, 'b', 'b2'],
      [6, 'a', 'a3'],
    ]);
  });

  it('drops tombstones older than delete.retention.ms and keeps recent ones', async () => {
    await log.createTopic({ name: 'c', partitions: 1, configs: { 'cleanup.policy': 'compact', 'delete.retention.ms': String(DAY_MS) } });
    const old = Date.now() - 2 * DAY_MS;
    await log.produce('c', [
      { key: b('gone'), value: b('v'), timestamp: old },
      { key: b('gone'), value: null, timestamp: old },
      { key: b('fresh'), value: b('v') },
      { key: b('fresh'), value: null },
      { key: b('alive'), value: b('v') },
    ]);
    await log.compact('c');
    expect(summary(await readAll('c'))).toEqual([
      [3, 'fresh', null],
      [4, 'alive', 'v'],
    ]);
  });

  it('never reuses offsets, even when compaction empties the tail, also after a reopen', async () => {
    await log.createTopic({ name: 'c', partitions: 1, configs: { 'cleanup.policy': 'compact', 'delete.retention.ms': '0' } });
    const old = Date.now() - 1000;
    await log.produce('c', [
      { key: b('k'), value: b('v'), timestamp: old },
      { key: b('k'), value: null, timestamp: old },
    ]);
    await log.compact('c');
    expect(await readAll('c')).toEqual([]);
    expect(await log.endOffsets('c')).toEqual([2]);
    expect(await log.startOffsets('c')).toEqual([2]);
    await log.close();
    log = await EmbeddedLog.open({ dataDir: dir, compactionIntervalMs: 0, retentionCheckIntervalMs: 0 });
    expect(await log.endOffsets('c')).toEqual([2]);
    const [ack] = await log.produce('c', [{ key: b('k'), value: b('again') }]);
    expect(ack!.offset).toBe(2);
  });

  it('lets readers skip compacted holes and resume at the next surviving offset', async () => {
    await log.createTopic({ name: 'c', partitions: 1, configs: { 'cleanup.policy': 'compact' } });
    await log.produce('c', [
      { key: b('a'), value: b('1') },
      { key: b('a'), value: b('2') },
      { key: b('a'), value: b('3') },
      { key: b('b'), value: b('1') },
    ]);
    await log.compact();
    expect((await log.fetch('c', 0, 0, { maxRecords: 1 })).map((r) => r.offset)).toEqual([2]);
    expect((await log.fetch('c', 0, 1)).map((r) => r.offset)).toEqual([2, 3]);
  });

  it('keeps superseded records younger than min.compaction.lag.ms', async () => {
    await log.createTopic({
      name: 'c',
      partitions: 1,
      configs: { 'cleanup.policy': 'compact', 'min.compaction.lag.ms': String(DAY_MS) },
    });
    const old = Date.now() - 2 * DAY_MS;
    await log.produce('c', [
      { key: b('a'), value: b('old'), timestamp: old },
      { key: b('a'), value: b('recent') },
      { key: b('a'), value: b('latest') },
    ]);
    await log.compact('c');
    expect(summary(await readAll('c')).map(([, , v]) => v)).toEqual(['recent', 'latest']);
  });

  it('does not drop a tombstone while an older value of its key is still held back', async () => {
    await log.createTopic({
      name: 'c',
      partitions: 1,
      configs: { 'cleanup.policy': 'compact', 'min.compaction.lag.ms': String(10 * DAY_MS), 'delete.retention.ms': '0' },
    });
    const old = Date.now() - DAY_MS;
    await log.produce('c', [
      { key: b('k'), value: b('v'), timestamp: old },
      { key: b('k'), value: null, timestamp: old },
    ]);
    await log.compact('c');
    expect(summary(await readAll('c'))).toEqual([
      [0, 'k', 'v'],
      [1, 'k', null],
    ]);
  });

  it('leaves delete-policy topics alone and compacts each partition separately', async () => {
    await log.createTopic({ name: 'd', partitions: 1 });
    await log.createTopic({ name: 'c', partitions: 2, configs: { 'cleanup.policy': 'compact' } });
    await log.produce('d', [
      { key: b('k'), value: b('1') },
      { key: b('k'), value: b('2') },
    ]);
    await log.produce('c', [
      { key: b('k'), value: b('p0'), partition: 0 },
      { key: b('k'), value: b('p1'), partition: 1 },
      { key: b('k'), value: b('p0b'), partition: 0 },
    ]);
    expect(await log.compact()).toBe(1);
    expect(await readAll('d')).toHaveLength(2);
    expect(summary(await readAll('c', 0))).toEqual([[1, 'k', 'p0b']]);
    expect(summary(await readAll('c', 1))).toEqual([[0, 'k', 'p1']]);
  });

  it('compacts in the background every compactionIntervalMs', async () => {
    await log.close();
    log = await EmbeddedLog.open({ dataDir: dir, compactionIntervalMs: 30, retentionCheckIntervalMs: 0 });
    await log.createTopic({ name: 'c', partitions: 1, configs: { 'cleanup.policy': 'compact' } });
    await log.produce('c', [
      { key: b('k'), value: b('1') },
      { key: b('k'), value: b('2') },
    ]);
    const deadline = Date.now() + 5_000;
    while ((await readAll('c')).length > 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(summary(await readAll('c'))).toEqual([[1, 'k', '2']]);
  });
});

describe('retention', () => {
  it('deletes the prefix older than retention.ms', async () => {
    await log.createTopic({ name: 'd', partitions: 1, configs: { 'retention.ms': String(DAY_MS) } });
    const old = Date.now() - 2 * DAY_MS;
    await log.produce('d', [
      { key: null, value: b('old1'), timestamp: old },
      { key: null, value: b('old2'), timestamp: old },
      { key: null, value: b('new') },
    ]);
    expect(await log.enforceRetention()).toBe(2);
    expect(summary(await readAll('d'))).toEqual([[2, null, 'new']]);
    expect(await log.startOffsets('d')).toEqual([2]);
    expect(await log.endOffsets('d')).toEqual([3]);
  });

  it('removes everything expired but keeps the offsets moving forward', async () => {
    await log.createTopic({ name: 'd', partitions: 1, configs: { 'retention.ms': '1000' } });
    await log.produce('d', [{ key: null, value: b('x'), timestamp: Date.now() - 5000 }]);
    await log.enforceRetention();
    expect(await log.startOffsets('d')).toEqual([1]);
    const [ack] = await log.produce('d', [{ key: null, value: b('y') }]);
    expect(ack!.offset).toBe(1);
  });

  it('keeps records forever when retention.ms is -1', async () => {
    await log.createTopic({ name: 'd', partitions: 1, configs: { 'retention.ms': '-1' } });
    await log.produce('d', [{ key: null, value: b('ancient'), timestamp: 0 }]);
    expect(await log.enforceRetention()).toBe(0);
    expect(await readAll('d')).toHaveLength(1);
  });

  it('deletes the oldest records until the partition fits retention.bytes', async () => {
    await log.createTopic({ name: 'd', partitions: 1, configs: { 'retention.bytes': '250', 'retention.ms': '-1' } });
    // 10 records of 100 value bytes: only the newest 2 fit in 250 bytes.
    await log.produce('d', Array.from({ length: 10 }, () => ({ key: null, value: Buffer.alloc(100, 1) })));
    expect(await log.enforceRetention()).toBe(8);
    expect((await readAll('d')).map((r) => r.offset)).toEqual([8, 9]);
  });

  it('applies retention but not compaction to compacted-only topics', async () => {
    await log.createTopic({ name: 'c', partitions: 1, configs: { 'cleanup.policy': 'compact', 'retention.ms': '1' } });
    await log.createTopic({ name: 'cd', partitions: 1, configs: { 'cleanup.policy': 'compact,delete', 'retention.ms': String(DAY_MS) } });
    const old = Date.now() - 2 * DAY_MS;
    await log.produce('c', [{ key: b('k'), value: b('v'), timestamp: old }]);
    await log.produce('cd', [
      { key: b('k'), value: b('v1'), timestamp: old },
      { key: b('j'), value: b('v1') },
      { key: b('j'), value: b('v2') },
    ]);
    await log.enforceRetention();
    expect(await readAll('c')).toHaveLength(1);
    await log.compact();
    expect(summary(await readAll('cd'))).toEqual([[2, 'j', 'v2']]);
  });
});

describe('topic config parsing', () => {
  it('reads cleanup settings with defaults and rejects bad numbers', () => {
    const settings = cleanupSettings(normalizeTopicConfigs({ 'cleanup.policy': 'compact, delete' }));
    expect(settings).toMatchObject({ policy: 'compact,delete', compact: true, delete: true, retentionBytes: -1, deleteRetentionMs: DAY_MS });
    expect(() => normalizeTopicConfigs({ 'retention.bytes': '-2' })).toThrow(/retention.bytes/);
    expect(() => normalizeTopicConfigs({ 'delete.retention.ms': '1.5' })).toThrow(/delete.retention.ms/);
  });
});
