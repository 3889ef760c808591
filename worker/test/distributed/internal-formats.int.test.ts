import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogRecord } from '../../src/log/log.js';
import { KafkaLog } from '../../src/storage/kafka/kafka-log.js';
import { kafkaTestGate, startKafkaCluster, type KafkaCluster } from '../support/kafka-cluster.js';
import { http, waitFor } from '../support/worker-process.js';
import { SequencePipeline, WorkerCluster } from './cluster-support.js';

const gate = kafkaTestGate();

async function readAll(log: KafkaLog, topic: string): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  const ends = await log.endOffsets(topic);
  for (let p = 0; p < ends.length; p++) {
    let offset = 0;
    while (offset < ends[p]!) {
      const batch = await log.fetch(topic, p, offset, { maxRecords: 1000 });
      if (batch.length === 0) break;
      out.push(...batch);
      offset = batch[batch.length - 1]!.offset + 1;
    }
  }
  return out;
}

const text = (b: Buffer | null) => (b === null ? null : b.toString('utf8'));

/**
 * The internal topics must hold exactly Kafka Connect's record formats (reference/kafka-connect.md §4),
 * so that tools reading them (and `kcat` dumps) see the same thing: keys are UTF-8 strings (offsets:
 * a JSON array), values compact schemaless JSON.
 */
describe.skipIf(gate.skip)('internal topic record formats on a real Kafka broker', () => {
  let kafka: KafkaCluster;
  let log: KafkaLog;
  let cluster: WorkerCluster;
  beforeAll(async () => {
    kafka = await startKafkaCluster({ brokers: 1 });
    log = await KafkaLog.connect({ brokers: kafka.bootstrapServers });
    cluster = new WorkerCluster(kafka.bootstrapServers.join(','), 'formats');
  });
  afterAll(async () => {
    await cluster?.stopAll();
    await log?.close();
    await kafka?.stop();
  });

  it('writes config, offset and status records with Kafka Connect keys and JSON shapes', async () => {
    await cluster.start(0);
    await cluster.healthy();
    const p = new SequencePipeline(cluster.dir, 'fmt');
    p.append(20);
    await p.create(cluster.url(0));
    await p.complete();
    expect((await http(cluster.url(0) + '/connectors/fmt-sink/pause', 'PUT')).status).toBe(202);
    await waitFor(async () => (await http(cluster.url(0) + '/connectors/fmt-sink/status', 'GET')).body?.connector?.state === 'PAUSED');
    // Offsets are flushed every second.
    await new Promise((r) => setTimeout(r, 1500));
    const workerId = new URL(cluster.url(0)).host;

    const configs = await readAll(log, 'formats-configs');
    const byKey = new Map(configs.map((r) => [text(r.key), text(r.value)]));
    expect(JSON.parse(byKey.get('connector-fmt-source')!)).toEqual({
      properties: expect.objectContaining({ 'connector.class': 'FileStreamSource', name: 'fmt-source', file: p.input }),
    });
    expect(byKey.get('connector-fmt-source')!.startsWith('{"properties":{')).toBe(true);
    expect(JSON.parse(byKey.get('task-fmt-source-0')!)).toEqual({ properties: expect.any(Object) });
    expect(byKey.get('commit-fmt-source')).toBe('{"tasks":1}');
    expect(byKey.get('target-state-fmt-sink')).toBe('{"state":"PAUSED","state.v2":"PAUSED"}');
    // KIP-507 session key published by the leader for signed worker-to-worker requests.
    expect(JSON.parse(byKey.get('session-key')!)).toEqual({ key: expect.any(String), algorithm: 'HmacSHA256', 'creation-timestamp': expect.any(Number) });
    expect(Buffer.from(JSON.parse(byKey.get('session-key')!).key, 'base64').length).toBe(32);
    // The config topic's commit record follows the task records it commits.
    const keys = configs.map((r) => text(r.key));
    expect(keys.indexOf('commit-fmt-source')).toBeGreaterThan(keys.indexOf('task-fmt-source-0'));

    const statuses = await readAll(log, 'formats-status');
    const latest = new Map(statuses.map((r) => [text(r.key), text(r.value)]));
    const task = latest.get('status-task-fmt-source-0')!;
    expect(task).toMatch(new RegExp(`^\\{"state":"RUNNING","trace":null,"worker_id":"${workerId.replace('.', '\\.')}","generation":\\d+\\}$`));
    expect(JSON.parse(latest.get('status-connector-fmt-sink')!)).toMatchObject({ state: 'PAUSED', trace: null, worker_id: workerId });

    const offsets = await readAll(log, 'formats-offsets');
    const source = offsets.filter((r) => text(r.key)?.startsWith('["fmt-source",'));
    expect(source.length).toBeGreaterThan(0);
    const last = source[source.length - 1]!;
    expect(JSON.parse(text(last.key)!)).toEqual(['fmt-source', { filename: p.input }]);
    expect(JSON.parse(text(last.value)!)).toMatchObject({ position: expect.any(Number) });
  });
});
