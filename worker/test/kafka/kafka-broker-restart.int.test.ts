import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaLog } from '../../src/storage/kafka/kafka-log.js';
import { kafkaTestGate, startKafkaCluster } from '../support/kafka-cluster.js';
import type { KafkaCluster } from '../support/kafka-cluster.js';
import { expectAllAckedReadable, produceContinuously, readEverything } from '../support/log-workload.js';

const gate = kafkaTestGate();
const name = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(gate.skip)('KafkaLog across broker restarts (1 broker)', () => {
  let cluster: KafkaCluster;
  let log: KafkaLog;

  beforeAll(async () => {
    cluster = await startKafkaCluster({ brokers: 1 });
    log = await KafkaLog.connect({ brokers: cluster.bootstrapServers, clientId: 'restart-int', producer: { deliveryTimeoutMs: 90_000 } });
  });

  afterAll(async () => {
    await log?.close();
    await cluster?.stop();
  });

  it('keeps every acknowledged record readable when the broker restarts while producing', async () => {
    const topic = name('restart');
    await log.createTopic({ name: topic, partitions: 2, replicationFactor: 1 });
    const run = produceContinuously(log, topic);
    await sleep(1_000);
    const beforeStop = run.acked.size;
    await cluster.stopBroker(0);
    await sleep(1_000);
    await cluster.startBroker(0);
    const afterRestart = run.acked.size;
    await sleep(2_000);
    await run.stop();
    expect(beforeStop).toBeGreaterThan(0);
    expect(run.acked.size).toBeGreaterThan(afterRestart);
    // Calls waiting through the outage were retried, not failed.
    expect(run.failures).toEqual([]);
    expectAllAckedReadable(run, await readEverything(log, topic));
  });

  it('keeps every acknowledged record readable when the broker is killed with SIGKILL while producing', async () => {
    const topic = name('kill');
    await log.createTopic({ name: topic, partitions: 2, replicationFactor: 1 });
    const run = produceContinuously(log, topic);
    await sleep(1_000);
    await cluster.kill(0);
    await sleep(500);
    await cluster.startBroker(0);
    await sleep(2_000);
    await run.stop();
    expect(run.acked.size).toBeGreaterThan(0);
    expectAllAckedReadable(run, await readEverything(log, topic));
  });

  it('resumes tailing reads and group consumption after a restart', async () => {
    const topic = name('tail-restart');
    const group = name('g');
    await log.createTopic({ name: topic, partitions: 1, replicationFactor: 1 });
    await log.produce(topic, [{ key: null, value: Buffer.from('before') }]);
    const consumer = log.groupConsumer(group);
    await consumer.subscribe({ topics: [topic] }, { onPartitionsAssigned: () => undefined, onPartitionsRevoked: () => undefined });
    const seen: string[] = [];
    const deadline = Date.now() + 60_000;
    while (!seen.includes('before') && Date.now() < deadline) seen.push(...(await consumer.poll({ maxWaitMs: 200 })).map((r) => r.value!.toString()));
    await consumer.commit([{ topic, partition: 0, offset: 1 }]);

    await cluster.stopBroker(0);
    await cluster.startBroker(0);
    await log.produce(topic, [{ key: null, value: Buffer.from('after') }]);
    const tail = await log.fetch(topic, 0, 1, { maxWaitMs: 5_000 });
    expect(tail.map((r) => r.value!.toString())).toEqual(['after']);
    while (!seen.includes('after') && Date.now() < deadline) {
      seen.push(...(await consumer.poll({ maxWaitMs: 200 }).catch(() => [])).map((r) => r.value!.toString()));
    }
    expect(seen).toEqual(['before', 'after']);
    await consumer.close();
  });
});
