import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaLog } from '../../src/storage/kafka/kafka-log.js';
import { kafkaTestGate, startKafkaCluster, type KafkaCluster } from '../support/kafka-cluster.js';
import { startWorkerProcess, tempDir } from '../support/worker-process.js';

const gate = kafkaTestGate();

describe.skipIf(gate.skip)('internal topic checks on a real Kafka broker', () => {
  let kafka: KafkaCluster;
  let log: KafkaLog;
  beforeAll(async () => {
    kafka = await startKafkaCluster({ brokers: 1 });
    log = await KafkaLog.connect({ brokers: kafka.bootstrapServers });
  });
  afterAll(async () => {
    await log?.close();
    await kafka?.stop();
  });

  function workerFile(prefix: string): string {
    const file = path.join(tempDir('badtopics'), 'worker.properties');
    writeFileSync(
      file,
      [
        `bootstrap.servers=${kafka.bootstrapServers.join(',')}`,
        `group.id=${prefix}`,
        `config.storage.topic=${prefix}-configs`,
        `offset.storage.topic=${prefix}-offsets`,
        `status.storage.topic=${prefix}-status`,
        'config.storage.replication.factor=1',
        'offset.storage.replication.factor=1',
        'status.storage.replication.factor=1',
        'log.level=warn',
      ].join('\n'),
    );
    return file;
  }

  it('refuses to start when the config topic has more than one partition, naming topic and property', async () => {
    await log.createTopic({ name: 'multi-configs', partitions: 2, replicationFactor: 1, configs: { 'cleanup.policy': 'compact' } });
    const failed = startWorkerProcess({ command: 'distributed', args: [workerFile('multi')], timeoutMs: 60_000 });
    await expect(failed).rejects.toThrow(/multi-configs.*exactly 1 partition/s);
  });

  it('refuses to start when an internal topic is not compacted, naming topic, property and value', async () => {
    await log.createTopic({ name: 'del-offsets', partitions: 1, replicationFactor: 1, configs: { 'cleanup.policy': 'delete' } });
    const failed = startWorkerProcess({ command: 'distributed', args: [workerFile('del')], timeoutMs: 60_000 });
    await expect(failed).rejects.toThrow(/del-offsets must have cleanup\.policy=compact but has cleanup\.policy=delete/);
  });
});
