import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaLog } from '../../src/storage/kafka/kafka-log.js';
import { kafkaTestGate, startKafkaCluster } from '../support/kafka-cluster.js';
import type { KafkaCluster } from '../support/kafka-cluster.js';
import { expectAllAckedReadable, produceContinuously, readEverything } from '../support/log-workload.js';

const gate = kafkaTestGate();
const name = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(gate.skip)('KafkaLog on a 3-broker cluster', () => {
  let cluster: KafkaCluster;
  let log: KafkaLog;

  beforeAll(async () => {
    cluster = await startKafkaCluster({ brokers: 3 });
    log = await KafkaLog.connect({ brokers: cluster.bootstrapServers, clientId: 'three-int', producer: { deliveryTimeoutMs: 90_000 } });
  });

  afterAll(async () => {
    await log?.close();
    await cluster?.stop();
  });

  it('replicates topics with the cluster default factor and keeps group offsets on a replicated coordinator', async () => {
    const topic = name('replicated');
    await log.createTopic({ name: topic, partitions: 3 });
    expect((await log.describeTopic(topic))?.partitions).toBe(3);
    const group = name('g');
    await log.commitGroupOffsets(group, [{ topic, partition: 2, offset: 0 }]);
    expect(await log.fetchGroupOffsets(group)).toEqual([{ topic, partition: 2, offset: 0 }]);
  });

  it('loses no acknowledged record when a broker stops and another crashes while producing', async () => {
    const topic = name('failover');
    await log.createTopic({ name: topic, partitions: 3, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } });
    const run = produceContinuously(log, topic);
    await sleep(1_000);
    await cluster.stopBroker(0);
    const during = run.acked.size;
    await sleep(1_500);
    // Two of three replicas are enough for acks=all with min.insync.replicas=2: writes go on.
    expect(run.acked.size).toBeGreaterThan(during);
    await cluster.startBroker(0);
    await cluster.kill(2);
    await sleep(1_000);
    await cluster.startBroker(2);
    await sleep(1_000);
    await run.stop();
    expect(run.failures).toEqual([]);
    expectAllAckedReadable(run, await readEverything(log, topic));
  });
});
