import { randomUUID } from 'node:crypto';
import { IllegalStateError, NotFoundError } from '@sluice/core';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogRecord } from '../../src/log/log.js';
import { KafkaLog } from '../../src/storage/kafka/kafka-log.js';
import { kafkaTestGate, startKafkaCluster } from '../support/kafka-cluster.js';
import type { KafkaCluster } from '../support/kafka-cluster.js';

const gate = kafkaTestGate();
const name = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
const buf = (s: string) => Buffer.from(s, 'utf8');

/** Reads a whole partition from `from` to its current end offset. */
async function readAll(log: KafkaLog, topic: string, partition: number, from = 0): Promise<LogRecord[]> {
  const end = (await log.endOffsets(topic))[partition] ?? 0;
  const out: LogRecord[] = [];
  let position = from;
  while (position < end) {
    const batch = await log.fetch(topic, partition, position, { maxRecords: 1000 });
    if (batch.length === 0) break;
    out.push(...batch);
    position = batch[batch.length - 1]!.offset + 1;
  }
  return out;
}

describe.skipIf(gate.skip)('KafkaLog against Apache Kafka (1 broker)', () => {
  let cluster: KafkaCluster;
  let log: KafkaLog;

  beforeAll(async () => {
    cluster = await startKafkaCluster({ brokers: 1 });
    log = await KafkaLog.connect({ brokers: cluster.bootstrapServers, clientId: 'kafka-log-int' });
  });

  afterAll(async () => {
    await log?.close();
    await cluster?.stop();
  });

  it('acknowledges every record with its offset, in input order, and reads them back in order', async () => {
    const topic = name('order');
    await log.createTopic({ name: topic, partitions: 1, replicationFactor: 1 });
    const records = Array.from({ length: 250 }, (_, i) => ({ key: buf(`k${i % 7}`), value: buf(`v${i}`), partition: 0 }));
    const acks = await log.produce(topic, records);
    expect(acks.map((a) => a.offset)).toEqual(records.map((_, i) => i));
    expect(acks.every((a) => a.topic === topic && a.partition === 0)).toBe(true);
    const read = await readAll(log, topic, 0);
    expect(read.map((r) => r.value!.toString())).toEqual(records.map((r) => r.value.toString()));
    expect(read.map((r) => r.offset)).toEqual(acks.map((a) => a.offset));
  });

  it('gives concurrent callers their own acks and keeps each partition in submission order', async () => {
    const topic = name('concurrent');
    await log.createTopic({ name: topic, partitions: 3, replicationFactor: 1 });
    const calls = Array.from({ length: 40 }, (_, c) =>
      log.produce(topic, Array.from({ length: 25 }, (_, i) => ({ key: null, value: buf(`${c}:${i}`), partition: c % 3 }))),
    );
    const acks = await Promise.all(calls);
    for (let p = 0; p < 3; p++) {
      const read = await readAll(log, topic, p);
      const byOffset = new Map(read.map((r) => [r.offset, r.value!.toString()]));
      acks.forEach((callAcks, c) => {
        if (c % 3 !== p) return;
        callAcks.forEach((ack, i) => expect(byOffset.get(ack.offset)).toBe(`${c}:${i}`));
      });
      // Within a partition each call's records are contiguous and in order.
      const values = read.map((r) => r.value!.toString());
      for (let c = p; c < 40; c += 3) {
        const start = values.indexOf(`${c}:0`);
        expect(values.slice(start, start + 25)).toEqual(Array.from({ length: 25 }, (_, i) => `${c}:${i}`));
      }
    }
  });

  it('partitions keyed records as a plain kafkajs producer with the Java-compatible default partitioner does', async () => {
    const ours = name('keys-ours');
    const theirs = name('keys-theirs');
    await log.createTopic({ name: ours, partitions: 6, replicationFactor: 1 });
    await log.createTopic({ name: theirs, partitions: 6, replicationFactor: 1 });
    const keys = Array.from({ length: 60 }, (_, i) => `customer-${i * 31}`);
    const acks = await log.produce(ours, keys.map((k) => ({ key: buf(k), value: buf('x') })));
    const kafka = new Kafka({ brokers: cluster.bootstrapServers, logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    try {
      const metadata = await producer.send({ topic: theirs, acks: -1, messages: keys.map((k) => ({ key: k, value: 'x' })) });
      const theirPartitionOf = new Map<string, number>();
      for (const p of metadata.map((m) => m.partition)) expect(p).toBeGreaterThanOrEqual(0);
      for (let p = 0; p < 6; p++) for (const r of await readAll(log, theirs, p)) theirPartitionOf.set(r.key!.toString(), p);
      keys.forEach((k, i) => expect(acks[i]!.partition).toBe(theirPartitionOf.get(k)));
      expect(new Set(acks.map((a) => a.partition)).size).toBeGreaterThan(1);
    } finally {
      await producer.disconnect();
    }
  });

  it('spreads null-key records round-robin and keeps headers, null keys, null values and timestamps', async () => {
    const topic = name('rr');
    await log.createTopic({ name: topic, partitions: 4, replicationFactor: 1 });
    const acks = await log.produce(
      topic,
      Array.from({ length: 8 }, (_, i) => ({
        key: null,
        value: i === 3 ? null : buf(`v${i}`),
        timestamp: 1_700_000_000_000 + i,
        headers: [
          { key: 'trace', value: buf(`t${i}`) },
          { key: 'trace', value: null },
          { key: 'other', value: buf('o') },
        ],
      })),
    );
    const counts = [0, 0, 0, 0];
    for (const a of acks) counts[a.partition]!++;
    expect(counts).toEqual([2, 2, 2, 2]);
    const third = acks[3]!;
    const [record] = await log.fetch(topic, third.partition, third.offset, { maxRecords: 1 });
    expect(record).toMatchObject({ key: null, value: null, timestamp: 1_700_000_000_003, offset: third.offset });
    // kafkajs cannot write a null header value; it arrives as an empty one.
    expect(record!.headers).toEqual([
      { key: 'trace', value: buf('t3') },
      { key: 'trace', value: Buffer.alloc(0) },
      { key: 'other', value: buf('o') },
    ]);
  });

  it('reports start and end offsets of every partition', async () => {
    const topic = name('offsets');
    await log.createTopic({ name: topic, partitions: 3, replicationFactor: 1 });
    expect(await log.endOffsets(topic)).toEqual([0, 0, 0]);
    await log.produce(topic, [0, 0, 2, 2, 2].map((p, i) => ({ key: null, value: buf(`${i}`), partition: p })));
    expect(await log.startOffsets(topic)).toEqual([0, 0, 0]);
    expect(await log.endOffsets(topic)).toEqual([2, 0, 3]);
  });

  it('creates, describes (with cleanup.policy), lists and deletes topics', async () => {
    const topic = name('admin');
    expect(await log.createTopic({ name: topic, partitions: 2, replicationFactor: 1, configs: { 'cleanup.policy': 'compact', 'retention.ms': '3600000' } })).toBe(true);
    expect(await log.createTopic({ name: topic, partitions: 2, replicationFactor: 1 })).toBe(false);
    const description = await log.describeTopic(topic);
    expect(description).toMatchObject({ name: topic, partitions: 2 });
    expect(description!.configs['cleanup.policy']).toBe('compact');
    expect(description!.configs['retention.ms']).toBe('3600000');
    expect(await log.listTopics()).toContain(topic);
    expect(await log.listTopics()).not.toContain('__consumer_offsets');
    await log.deleteTopic(topic);
    expect(await log.describeTopic(topic)).toBeNull();
    await expect(log.deleteTopic(topic)).rejects.toSatisfy((e: unknown) => NotFoundError.is(e));
  });

  it('creates a topic with the broker defaults when partitions and replication factor are -1', async () => {
    const topic = name('defaults');
    await log.createTopic({ name: topic, partitions: -1 });
    const description = await log.describeTopic(topic);
    expect(description!.partitions).toBe(1); // the test broker's num.partitions
    expect(description!.configs['cleanup.policy']).toBe('delete');
  });

  it('rejects producing to or reading a missing topic with NotFoundError', async () => {
    const topic = name('missing');
    await expect(log.produce(topic, [{ key: null, value: buf('x') }])).rejects.toSatisfy((e: unknown) => NotFoundError.is(e));
    await expect(log.fetch(topic, 0, 0)).rejects.toSatisfy((e: unknown) => NotFoundError.is(e));
    await expect(log.endOffsets(topic)).rejects.toSatisfy((e: unknown) => NotFoundError.is(e));
    const existing = name('one-partition');
    await log.createTopic({ name: existing, partitions: 1, replicationFactor: 1 });
    await expect(log.produce(existing, [{ key: null, value: buf('x'), partition: 5 }])).rejects.toSatisfy((e: unknown) => NotFoundError.is(e));
  });

  it('keeps working after a topic it wrote to is deleted', async () => {
    const doomed = name('doomed');
    const other = name('survivor');
    await log.createTopic({ name: doomed, partitions: 1, replicationFactor: 1 });
    await log.createTopic({ name: other, partitions: 1, replicationFactor: 1 });
    await log.produce(doomed, [{ key: null, value: buf('1') }]);
    await log.fetch(doomed, 0, 0);
    await log.deleteTopic(doomed);
    const [ack] = await log.produce(other, [{ key: null, value: buf('2') }]);
    expect(ack!.offset).toBe(0);
    expect((await log.fetch(other, 0, 0)).map((r) => r.value!.toString())).toEqual(['2']);
  });

  it('long-polls a caught-up partition until a record arrives, and returns promptly on abort', async () => {
    const topic = name('tail');
    await log.createTopic({ name: topic, partitions: 1, replicationFactor: 1 });
    const started = Date.now();
    expect(await log.fetch(topic, 0, 0, { maxWaitMs: 300 })).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    const waiting = log.fetch(topic, 0, 0, { maxWaitMs: 10_000 });
    await new Promise((r) => setTimeout(r, 200));
    await log.produce(topic, [{ key: null, value: buf('late') }]);
    expect((await waiting).map((r) => r.value!.toString())).toEqual(['late']);
    const controller = new AbortController();
    const aborted = log.fetch(topic, 0, 1, { maxWaitMs: 10_000, signal: controller.signal });
    const abortAt = Date.now();
    setTimeout(() => controller.abort(), 100);
    expect(await aborted).toEqual([]);
    expect(Date.now() - abortAt).toBeLessThan(2_000);
  });

  it('reads a compacted multi-partition topic from the start to the end offsets, then tails it (the internal stores pattern)', async () => {
    const topic = name('store');
    await log.createTopic({ name: topic, partitions: 3, replicationFactor: 1, configs: { 'cleanup.policy': 'compact' } });
    await log.produce(topic, Array.from({ length: 90 }, (_, i) => ({ key: buf(`key-${i % 30}`), value: buf(`v${i}`) })));
    const state = new Map<string, string>();
    const positions = await log.startOffsets(topic);
    const ends = await log.endOffsets(topic);
    for (let p = 0; p < 3; p++) {
      while (positions[p]! < ends[p]!) {
        const batch = await log.fetch(topic, p, positions[p]!, { maxRecords: 7 });
        for (const r of batch) state.set(r.key!.toString(), r.value!.toString());
        positions[p] = batch[batch.length - 1]!.offset + 1;
      }
    }
    expect(state.size).toBe(30);
    for (let k = 0; k < 30; k++) expect(state.get(`key-${k}`)).toBe(`v${k + 60}`);
    const [ack] = await log.produce(topic, [{ key: buf('key-0'), value: buf('newest') }]);
    const tailed = await log.fetch(topic, ack!.partition, positions[ack!.partition]!, { maxWaitMs: 1_000 });
    expect(tailed.map((r) => r.value!.toString())).toEqual(['newest']);
  });

  it('commits, fetches and deletes group offsets of a group without members', async () => {
    const topic = name('group-offsets');
    const group = name('g');
    await log.createTopic({ name: topic, partitions: 2, replicationFactor: 1 });
    expect(await log.fetchGroupOffsets(group)).toEqual([]);
    await log.commitGroupOffsets(group, [
      { topic, partition: 0, offset: 5 },
      { topic, partition: 1, offset: 7 },
    ]);
    expect(await log.fetchGroupOffsets(group, [topic])).toEqual([
      { topic, partition: 0, offset: 5 },
      { topic, partition: 1, offset: 7 },
    ]);
    expect(await log.fetchGroupOffsets(group, ['some-other-topic'])).toEqual([]);
    await log.deleteGroupOffsets(group, [{ topic, partition: 0 }]);
    expect(await log.fetchGroupOffsets(group)).toEqual([{ topic, partition: 1, offset: 7 }]);
    await log.deleteGroupOffsets(group);
    expect(await log.fetchGroupOffsets(group)).toEqual([]);
    await log.deleteGroupOffsets(group); // a missing group has nothing to delete
  });

  it('refuses to use a closed log, and closing twice is harmless', async () => {
    const other = await KafkaLog.connect({ brokers: cluster.bootstrapServers });
    await other.close();
    await other.close();
    await expect(other.listTopics()).rejects.toSatisfy((e: unknown) => IllegalStateError.is(e));
  });
});
