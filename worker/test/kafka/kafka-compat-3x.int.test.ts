import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaLog } from '../../src/storage/kafka/kafka-log.js';
import { COMPAT_KAFKA_VERSION, kafkaTestGate, startKafkaCluster } from '../support/kafka-cluster.js';
import type { KafkaCluster } from '../support/kafka-cluster.js';

// Users on clusters that still run 3.9 (before KIP-896 removed old protocol versions): the same client
// code paths against the older broker. Set SLUICE_KAFKA_COMPAT=0 to leave it out of a local run.
const optedOut = process.env['SLUICE_KAFKA_COMPAT'] === '0' && process.env['CI'] !== 'true';
const gate = optedOut ? { skip: true } : kafkaTestGate(COMPAT_KAFKA_VERSION);
const name = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

describe.skipIf(gate.skip)(`KafkaLog against Apache Kafka ${COMPAT_KAFKA_VERSION}`, () => {
  let cluster: KafkaCluster;
  let log: KafkaLog;

  beforeAll(async () => {
    cluster = await startKafkaCluster({ brokers: 1, version: COMPAT_KAFKA_VERSION });
    log = await KafkaLog.connect({ brokers: cluster.bootstrapServers, consumer: { heartbeatIntervalMs: 500, fetchMaxWaitMs: 200 } });
  });

  afterAll(async () => {
    await log?.close();
    await cluster?.stop();
  });

  it('produces, reads, administers topics and runs a group member as on 4.x', async () => {
    const topic = name('compat');
    const group = name('g');
    expect(await log.createTopic({ name: topic, partitions: 2, replicationFactor: 1, configs: { 'cleanup.policy': 'compact' } })).toBe(true);
    expect((await log.describeTopic(topic))?.configs['cleanup.policy']).toBe('compact');
    const acks = await log.produce(topic, Array.from({ length: 10 }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`) })));
    const ends = await log.endOffsets(topic);
    expect(ends.reduce((a, b) => a + b, 0)).toBe(10);
    for (const ack of acks) {
      const [record] = await log.fetch(topic, ack.partition, ack.offset, { maxRecords: 1 });
      expect(record?.offset).toBe(ack.offset);
    }

    const consumer = log.groupConsumer(group);
    await consumer.subscribe({ topics: [topic] }, { onPartitionsAssigned: () => undefined, onPartitionsRevoked: () => undefined });
    const received: string[] = [];
    const deadline = Date.now() + 30_000;
    while (received.length < 10 && Date.now() < deadline) received.push(...(await consumer.poll({ maxWaitMs: 200 })).map((r) => r.value!.toString()));
    expect(received.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `v${i}`).sort());
    await consumer.commit(ends.map((offset, partition) => ({ topic, partition, offset })));
    await consumer.close();
    expect(await log.fetchGroupOffsets(group)).toEqual(ends.map((offset, partition) => ({ topic, partition, offset })));
    await log.deleteGroupOffsets(group, [{ topic, partition: 0 }]);
    expect(await log.fetchGroupOffsets(group)).toEqual([{ topic, partition: 1, offset: ends[1] }]);
    await log.deleteTopic(topic);
  });
});
