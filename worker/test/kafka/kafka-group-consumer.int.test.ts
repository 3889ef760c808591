import { randomUUID } from 'node:crypto';
import { IllegalStateError, NotFoundError } from '@sluice/core';
import type { Logger } from '@sluice/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GroupConsumer, LogRecord, RebalanceListener } from '../../src/log/log.js';
import { KafkaLog } from '../../src/storage/kafka/kafka-log.js';
import { kafkaTestGate, startKafkaCluster } from '../support/kafka-cluster.js';
import type { KafkaCluster } from '../support/kafka-cluster.js';

const gate = kafkaTestGate();
const name = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
const buf = (s: string) => Buffer.from(s, 'utf8');
const tpKey = (tp: { topic: string; partition: number }) => `${tp.topic}/${tp.partition}`;

/** Records what the consumer tells its listener. */
class RecordingListener implements RebalanceListener {
  readonly events: { kind: 'assigned' | 'revoked'; partitions: number[] }[] = [];
  onPartitionsAssigned(partitions: readonly { topic: string; partition: number }[]): void {
    this.events.push({ kind: 'assigned', partitions: partitions.map((p) => p.partition).sort() });
  }
  onPartitionsRevoked(partitions: readonly { topic: string; partition: number }[]): void {
    this.events.push({ kind: 'revoked', partitions: partitions.map((p) => p.partition).sort() });
  }
}

/** Polls (all consumers in turn) until `done` holds or the time is up; returns what each received. */
async function pollUntil(consumers: GroupConsumer[], done: (received: LogRecord[][]) => boolean, timeoutMs = 30_000): Promise<LogRecord[][]> {
  const received: LogRecord[][] = consumers.map(() => []);
  const deadline = Date.now() + timeoutMs;
  while (!done(received)) {
    if (Date.now() > deadline) throw new Error(`pollUntil timed out; received ${received.map((r) => r.length).join('/')} records`);
    for (let i = 0; i < consumers.length; i++) received[i]!.push(...(await consumers[i]!.poll({ maxWaitMs: 100 })));
  }
  return received;
}

const partitionsOf = (c: GroupConsumer) => c.assignment().map((tp) => tp.partition).sort();

describe.skipIf(gate.skip)('KafkaLog group consumers against Apache Kafka (1 broker)', () => {
  let cluster: KafkaCluster;
  let log: KafkaLog;

  beforeAll(async () => {
    cluster = await startKafkaCluster({ brokers: 1 });
    log = await KafkaLog.connect({
      brokers: cluster.bootstrapServers,
      clientId: 'group-int',
      consumer: { sessionTimeoutMs: 6_000, heartbeatIntervalMs: 500, fetchMaxWaitMs: 200 },
    });
  });

  afterAll(async () => {
    await log?.close();
    await cluster?.stop();
  });

  it('assigns every partition to a lone member and resumes a new member from the committed offsets', async () => {
    const topic = name('resume');
    const group = name('g');
    await log.createTopic({ name: topic, partitions: 3, replicationFactor: 1 });
    await log.produce(topic, Array.from({ length: 30 }, (_, i) => ({ key: null, value: buf(`${i % 3}:${Math.floor(i / 3)}`), partition: i % 3 })));

    const first = log.groupConsumer(group);
    const listener = new RecordingListener();
    await first.subscribe({ topics: [topic] }, listener);
    const [received] = await pollUntil([first], (r) => r[0]!.length >= 30);
    expect(received).toHaveLength(30);
    expect(listener.events[0]).toEqual({ kind: 'assigned', partitions: [0, 1, 2] });
    expect(partitionsOf(first)).toEqual([0, 1, 2]);
    for (let p = 0; p < 3; p++) {
      expect(received!.filter((r) => r.partition === p).map((r) => r.offset)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    }
    await first.commit([
      { topic, partition: 0, offset: 5 },
      { topic, partition: 1, offset: 10 },
    ]);
    await first.close();
    expect(listener.events.at(-1)).toEqual({ kind: 'revoked', partitions: [0, 1, 2] });
    expect(await log.fetchGroupOffsets(group, [topic])).toEqual([
      { topic, partition: 0, offset: 5 },
      { topic, partition: 1, offset: 10 },
    ]);

    await log.produce(topic, [0, 1, 2].map((p) => ({ key: null, value: buf(`${p}:new`), partition: p })));
    const second = log.groupConsumer(group);
    await second.subscribe({ topics: [topic] }, new RecordingListener());
    // Partition 0 from its commit, 1 only the new record, 2 (never committed) from the beginning.
    const [again] = await pollUntil([second], (r) => r[0]!.length >= 6 + 1 + 11);
    await new Promise((r) => setTimeout(r, 500));
    again!.push(...(await second.poll({ maxWaitMs: 200 })));
    const offsets = (p: number) => again!.filter((r) => r.partition === p).map((r) => r.offset);
    expect(offsets(0)).toEqual([5, 6, 7, 8, 9, 10]);
    expect(offsets(1)).toEqual([10]);
    expect(offsets(2)).toEqual(Array.from({ length: 11 }, (_, i) => i));
    await second.close();
  });

  it('shares partitions between two members and gives them back when one leaves', async () => {
    const topic = name('share');
    const group = name('g');
    await log.createTopic({ name: topic, partitions: 4, replicationFactor: 1 });
    const a = log.groupConsumer(group, { clientId: 'member-a' });
    const b = log.groupConsumer(group, { clientId: 'member-b' });
    const listenerA = new RecordingListener();
    await a.subscribe({ topics: [topic] }, listenerA);
    await pollUntil([a], () => a.assignment().length === 4);
    await b.subscribe({ topics: [topic] }, new RecordingListener());
    await pollUntil([a, b], () => a.assignment().length > 0 && b.assignment().length > 0 && a.assignment().length + b.assignment().length === 4);
    const ofA = new Set(a.assignment().map(tpKey));
    expect(b.assignment().some((tp) => ofA.has(tpKey(tp)))).toBe(false);
    // A was told which partitions it lost, not that it lost everything.
    const revokedFromA = listenerA.events.filter((e) => e.kind === 'revoked').flatMap((e) => e.partitions);
    expect(revokedFromA.sort()).toEqual(partitionsOf(b));

    await log.produce(topic, Array.from({ length: 40 }, (_, i) => ({ key: null, value: buf(`${i}`), partition: i % 4 })));
    const [gotA, gotB] = await pollUntil([a, b], (r) => r[0]!.length + r[1]!.length >= 40);
    expect(new Set(gotA!.map((r) => r.partition))).toEqual(new Set(partitionsOf(a)));
    expect(new Set(gotB!.map((r) => r.partition))).toEqual(new Set(partitionsOf(b)));
    expect([...gotA!, ...gotB!].map((r) => r.value!.toString()).sort()).toEqual(Array.from({ length: 40 }, (_, i) => `${i}`).sort());

    await b.close();
    await pollUntil([a], () => a.assignment().length === 4);
    await a.close();
  });

  it('holds back a paused partition until it is resumed, and re-reads from a seek position', async () => {
    const topic = name('pause');
    const group = name('g');
    await log.createTopic({ name: topic, partitions: 2, replicationFactor: 1 });
    const consumer = log.groupConsumer(group);
    await consumer.subscribe({ topics: [topic] }, new RecordingListener());
    await pollUntil([consumer], () => consumer.assignment().length === 2);
    consumer.pause([{ topic, partition: 1 }]);
    await log.produce(topic, Array.from({ length: 10 }, (_, i) => ({ key: null, value: buf(`${i}`), partition: i % 2 })));
    const [early] = await pollUntil([consumer], (r) => r[0]!.length >= 5);
    await new Promise((r) => setTimeout(r, 1_000));
    early!.push(...(await consumer.poll({ maxWaitMs: 200 })));
    expect(early!.map((r) => r.partition)).toEqual([0, 0, 0, 0, 0]);
    consumer.resume([{ topic, partition: 1 }]);
    const [late] = await pollUntil([consumer], (r) => r[0]!.length >= 5);
    expect(late!.map((r) => [r.partition, r.offset])).toEqual([0, 1, 2, 3, 4].map((o) => [1, o]));
    consumer.seek({ topic, partition: 0 }, 2);
    const [again] = await pollUntil([consumer], (r) => r[0]!.length >= 3);
    expect(again!.map((r) => [r.partition, r.offset])).toEqual([2, 3, 4].map((o) => [0, o]));
    expect(() => consumer.seek({ topic, partition: 9 }, 0)).toThrow(/not assigned/);
    let error: unknown;
    try {
      consumer.pause([{ topic: 'elsewhere', partition: 0 }]);
    } catch (err) {
      error = err;
    }
    expect(IllegalStateError.is(error)).toBe(true);
    await consumer.close();
  });

  it('rejects a subscription to a topic that does not exist with NotFoundError', async () => {
    const consumer = log.groupConsumer(name('g'));
    await expect(consumer.subscribe({ topics: [name('nowhere')] }, new RecordingListener())).rejects.toSatisfy((e: unknown) => NotFoundError.is(e));
    await consumer.close();
  });

  it('stops fetching while poll is not called yet keeps its membership, then delivers everything in order', async () => {
    const topic = name('backpressure');
    const group = name('g');
    await log.createTopic({ name: topic, partitions: 1, replicationFactor: 1 });
    const joins: string[] = [];
    const capture: Logger = {
      trace: () => undefined,
      debug: (msg) => void (msg.includes('Consumer has joined the group') && joins.push(msg)),
      info: () => undefined,
      warn: () => undefined,
      error: () => undefined,
      child: () => capture,
    };
    const slow = await KafkaLog.connect({
      brokers: cluster.bootstrapServers,
      logger: capture,
      consumer: { sessionTimeoutMs: 6_000, heartbeatIntervalMs: 500, fetchMaxWaitMs: 200, maxBufferedRecords: 50, maxBytesPerPartition: 4096 },
    });
    try {
      const consumer = slow.groupConsumer(group);
      const listener = new RecordingListener();
      await consumer.subscribe({ topics: [topic] }, listener);
      await pollUntil([consumer], () => consumer.assignment().length === 1);
      await slow.produce(topic, Array.from({ length: 600 }, (_, i) => ({ key: null, value: buf(`${i}`.padStart(40, '0')) })));
      // Longer than the session timeout: only heartbeats sent while eachBatch waits keep the member alive.
      await new Promise((r) => setTimeout(r, 8_000));
      const [all] = await pollUntil([consumer], (r) => r[0]!.length >= 600, 60_000);
      expect(all!.map((r) => r.offset)).toEqual(Array.from({ length: 600 }, (_, i) => i));
      // Give a kicked-out member time to find out (its next heartbeat) and rejoin.
      await new Promise((r) => setTimeout(r, 2_000));
      expect(await consumer.poll({ maxWaitMs: 100 })).toEqual([]);
      expect(listener.events).toEqual([{ kind: 'assigned', partitions: [0] }]);
      // Joined once: had the session expired, kafkajs would have rejoined (and logged it) a second time.
      expect(joins).toHaveLength(1);
      await consumer.close();
    } finally {
      await slow.close();
    }
  });
});
