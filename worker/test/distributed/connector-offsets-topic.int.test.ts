import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KafkaLog } from '../../src/storage/kafka/kafka-log.js';
import { kafkaTestGate, startKafkaCluster, type KafkaCluster } from '../support/kafka-cluster.js';
import { http, waitFor } from '../support/worker-process.js';
import { WorkerCluster } from './cluster-support.js';

const gate = kafkaTestGate();

/** Every record of a topic (all partitions), read_committed, as [key, value] strings. */
async function records(log: KafkaLog, topic: string): Promise<[string, string | null][]> {
  const d = await log.describeTopic(topic);
  if (!d) return [];
  const out: [string, string | null][] = [];
  for (let p = 0; p < d.partitions; p++) {
    let offset = 0;
    for (;;) {
      const batch = await log.fetch(topic, p, offset, { maxRecords: 5000 });
      if (batch.length === 0) break;
      for (const r of batch) out.push([r.key?.toString() ?? '', r.value?.toString() ?? null]);
      offset = batch[batch.length - 1]!.offset + 1;
    }
  }
  return out;
}

/** The string a JsonConverter record carries (with or without the schema envelope). */
const payload = (value: string | null): string => {
  const v = JSON.parse(value ?? 'null') as { payload: string } | string;
  return typeof v === 'string' ? v : v.payload;
};

const lines = (file: string) =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.length > 0)
    : [];

/**
 * KIP-618 per-connector offsets topics (`offsets.storage.topic` on a source connector) on a real
 * broker, with and without exactly-once support: offsets land in the connector's topic (created
 * compacted), are copied to the worker's, survive a restart, and a connector moved onto its own topic
 * continues from the offsets it had in the worker's topic.
 */
describe.skipIf(gate.skip)("a source connector's own offsets topic", () => {
  let kafka: KafkaCluster;
  let log: KafkaLog;
  const clusters: WorkerCluster[] = [];
  let n = 0;

  beforeAll(async () => {
    kafka = await startKafkaCluster({ brokers: 1 });
    log = await KafkaLog.connect({ brokers: kafka.bootstrapServers });
  }, 180_000);
  afterEach(async () => {
    await Promise.all(clusters.splice(0).map((c) => c.stopAll()));
  });
  afterAll(async () => {
    await log?.close();
    await kafka?.stop();
  });

  async function scenario(extraWorker: Record<string, string>) {
    const group = `own-offsets-${++n}`;
    const cluster = new WorkerCluster(kafka.bootstrapServers.join(','), group, extraWorker);
    clusters.push(cluster);
    await cluster.start(0);
    await cluster.healthy();
    const input = path.join(cluster.dir, 'in.txt');
    const output = path.join(cluster.dir, 'out.txt');
    writeFileSync(input, Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n') + '\n');
    const topic = `own-${n}-data`;
    const source = (extra: Record<string, string>) => ({
      'connector.class': 'FileStreamSource',
      file: input,
      topic,
      'topic.creation.default.partitions': '1',
      'topic.creation.default.replication.factor': '1',
      ...extra,
    });
    // connector names differ per test: a sink group left behind by a killed worker would stall the next join
    return { cluster, group, input, output, topic, source, src: `src-${n}`, sink: `sink-${n}` };
  }

  async function put(url: string, name: string, config: Record<string, string>) {
    const r = await http(`${url}/connectors/${name}/config`, 'PUT', config);
    expect([200, 201], r.text).toContain(r.status);
  }

  for (const eos of [false, true]) {
    it(`writes offsets to the connector's topic and copies them to the worker's (exactly-once ${eos ? 'enabled' : 'disabled'})`, async () => {
      const { cluster, group, input, output, topic, source, src, sink } = await scenario(
        eos ? { 'exactly.once.source.support': 'enabled' } : {},
      );
      const ownTopic = `own-${n}-offsets`;
      await put(cluster.url(0), src, source({ 'offsets.storage.topic': ownTopic }));
      await put(cluster.url(0), sink, { 'connector.class': 'FileStreamSink', file: output, topics: topic });
      await waitFor(() => lines(output).length >= 100, 60_000, '100 lines through');

      const description = await log.describeTopic(ownTopic);
      expect(description?.configs['cleanup.policy']).toBe('compact');
      const expectedOffset = readFileSync(input).length;
      await waitFor(
        async () => {
          const own = await records(log, ownTopic);
          return own.some(
            ([k, v]) => k.startsWith(`["${src}",`) && v !== null && JSON.parse(v).position === expectedOffset,
          );
        },
        30_000,
        "the last offset in the connector's topic",
      );
      await waitFor(
        async () => {
          const global = await records(log, `${group}-offsets`);
          return global.some(
            ([k, v]) => k.startsWith(`["${src}",`) && v !== null && JSON.parse(v).position === expectedOffset,
          );
        },
        30_000,
        "the copy in the worker's topic",
      );
      const offsets = (await http(`${cluster.url(0)}/connectors/${src}/offsets`, 'GET')).body;
      expect(offsets.offsets).toMatchObject([{ partition: { filename: input }, offset: { position: expectedOffset } }]);

      // a worker killed after the commit continues from there: the topic holds no line twice (the file
      // sink may repeat lines whose consumer offsets the kill lost, so the topic is what is checked)
      await cluster.kill(0, 'SIGKILL');
      appendFileSync(input, Array.from({ length: 50 }, (_, i) => `line ${100 + i}`).join('\n') + '\n');
      await cluster.start(0);
      const topicLines = async () => (await records(log, topic)).map(([, v]) => payload(v));
      await waitFor(async () => (await topicLines()).length >= 150, 60_000, '150 records in the topic');
      await new Promise((r) => setTimeout(r, 1500));
      expect(await topicLines()).toEqual(Array.from({ length: 150 }, (_, i) => `line ${i}`));
    }, 180_000);
  }

  it("moves a connector onto its own topic without losing its place, and resets both topics' offsets", async () => {
    const { cluster, group, input, output, topic, source, src, sink } = await scenario({});
    await put(cluster.url(0), src, source({}));
    await put(cluster.url(0), sink, { 'connector.class': 'FileStreamSink', file: output, topics: topic });
    await waitFor(() => lines(output).length >= 100, 60_000, '100 lines through');
    const firstOffset = readFileSync(input).length;
    await waitFor(
      async () => {
        const r = (await http(`${cluster.url(0)}/connectors/${src}/offsets`, 'GET')).body;
        return r?.offsets?.[0]?.offset?.position === firstOffset;
      },
      30_000,
      'the offset committed',
    );

    // reconfigure with its own topic: the task restarts, finds nothing there, falls back to the worker's
    const ownTopic = `own-${n}-moved`;
    await put(cluster.url(0), src, source({ 'offsets.storage.topic': ownTopic }));
    // the restarted task creates the topic as it starts (the old task has stopped by then)
    await waitFor(async () => (await log.describeTopic(ownTopic)) !== null, 30_000, "the connector's topic created");
    appendFileSync(input, Array.from({ length: 20 }, (_, i) => `line ${100 + i}`).join('\n') + '\n');
    const topicLines = async () => (await records(log, topic)).map(([, v]) => payload(v));
    await waitFor(async () => (await topicLines()).length >= 120, 60_000, '120 records in the topic');
    await new Promise((r) => setTimeout(r, 1500));
    expect(await topicLines()).toEqual(Array.from({ length: 120 }, (_, i) => `line ${i}`));
    await waitFor(
      async () => (await records(log, ownTopic)).some(([k]) => k.startsWith(`["${src}",`)),
      30_000,
      "offsets in the connector's new topic",
    ).catch(async (err: Error) => {
      throw new Error(
        `${err.message}; topics: ${(await log.listTopics()).join(',')}; own: ${JSON.stringify(await records(log, ownTopic))}; status: ${JSON.stringify((await http(`${cluster.url(0)}/connectors/${src}/status`, 'GET')).body)}`,
      );
    });

    // reset while stopped clears the partition in both topics
    expect((await http(`${cluster.url(0)}/connectors/${src}/stop`, 'PUT')).status).toBe(204);
    await waitFor(
      async () =>
        (await http(`${cluster.url(0)}/connectors/${src}/status`, 'GET')).body?.connector?.state === 'STOPPED',
      30_000,
      'STOPPED',
    );
    const reset = await http(`${cluster.url(0)}/connectors/${src}/offsets`, 'DELETE');
    expect(reset.status, reset.text).toBe(200);
    expect((await http(`${cluster.url(0)}/connectors/${src}/offsets`, 'GET')).body.offsets).toEqual([]);
    const lastValue = async (t: string) =>
      (await records(log, t)).filter(([k]) => k.startsWith(`["${src}",`)).at(-1)?.[1];
    expect(await lastValue(ownTopic)).toBeNull();
    expect(await lastValue(`${group}-offsets`)).toBeNull();
  }, 180_000);
});
