import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaLog } from '../../src/storage/kafka/kafka-log.js';
import { kafkaTestGate, startKafkaCluster, type KafkaCluster } from '../support/kafka-cluster.js';
import { http, waitFor } from '../support/worker-process.js';
import { SequencePipeline, WorkerCluster } from './cluster-support.js';

const gate = kafkaTestGate();

/** Reads a topic read_committed (the Kafka log's reads are) and returns the sequence numbers. */
async function committedSequence(log: KafkaLog, topic: string): Promise<number[]> {
  const out: number[] = [];
  let offset = 0;
  for (;;) {
    const batch = await log.fetch(topic, 0, offset, { maxRecords: 5000 });
    if (batch.length === 0) break;
    for (const r of batch) {
      // JsonConverter with schemas: {"schema": …, "payload": "eos 17"}
      const v = JSON.parse(r.value!.toString()) as { payload: string } | string;
      out.push(Number((typeof v === 'string' ? v : v.payload).split(' ')[1]));
    }
    offset = batch[batch.length - 1]!.offset + 1;
  }
  return out;
}

const FIXTURE = fileURLToPath(new URL('../fixtures/txn-source-plugin.mjs', import.meta.url));

describe.skipIf(gate.skip)('exactly-once source on a real Kafka broker', () => {
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

  it('writes every record exactly once through four rounds of kill -9 of the worker running the task', async () => {
    const cluster = new WorkerCluster(kafka.bootstrapServers.join(','), 'eos', {
      'exactly.once.source.support': 'enabled',
      'transaction.state.log.replication.factor': '1',
    });
    try {
      await Promise.all([0, 1, 2].map((i) => cluster.start(i)));
      await cluster.healthy();
      const p = new SequencePipeline(cluster.dir, 'eos');
      p.append(500);
      const created = await http(cluster.url(0) + '/connectors', 'POST', {
        name: 'eos-source',
        config: {
          'connector.class': 'FileStreamSource',
          file: p.input,
          topic: 'eos-data',
          'batch.size': '50',
          'exactly.once.support': 'required',
          'topic.creation.default.partitions': '1',
          'topic.creation.default.replication.factor': '1',
        },
      });
      expect(created.status).toBe(201);
      const owner = async (): Promise<string | null> => {
        const anyUrl = cluster.running()[0]!.process!.url;
        const st = (await http(anyUrl + '/connectors/eos-source/status', 'GET')).body;
        const t = st?.tasks?.[0];
        // A killed worker's last status stays RUNNING until the task restarts elsewhere: only live owners count.
        const live = cluster.running().some((w) => w.process!.url.endsWith(t?.worker_id));
        return t?.state === 'RUNNING' && live ? (t.worker_id as string) : null;
      };
      for (let round = 0; round < 4; round++) {
        const ownerId = await waitFor(owner, 90_000, `source task running (round ${round})`);
        p.append(400);
        // Let the task get into the middle of the new data, then kill the worker that runs it.
        await new Promise((r) => setTimeout(r, 150));
        const victim = cluster.running().find((w) => w.process!.url.endsWith(ownerId));
        if (!victim) throw new Error(`owner ${ownerId} not among ${cluster.running().map((w) => w.process!.url + ' / ' + (/listening on \S+/.exec(w.process!.output())?.[0] ?? '?') + ' pid ' + w.process!.proc.pid).join(', ')}`);
        expect(await cluster.kill(victim.index, 'SIGKILL')).toBe('SIGKILL');
        p.append(100);
        await cluster.start(victim.index);
      }
      await waitFor(owner, 90_000, 'source task running after the last round');
      const total = p.produced;
      const seq = await waitFor(async () => {
        const s = await committedSequence(log, 'eos-data');
        return new Set(s).size >= total ? s : null;
      }, 120_000, `all ${total} records committed`);
      const missing = Array.from({ length: total }, (_, i) => i).filter((i) => !seq.includes(i));
      const duplicates = seq.length - new Set(seq).size;
      console.log(`exactly-once: ${total} records, 4 kill -9 rounds: ${missing.length} missing, ${duplicates} duplicates`);
      expect(missing).toEqual([]);
      expect(duplicates).toBe(0);
      expect(seq).toEqual(Array.from({ length: total }, (_, i) => i));
    } finally {
      await cluster.stopAll();
    }
  });

  it('honours connector-defined transaction boundaries: aborted batches never become visible', async () => {
    const cluster = new WorkerCluster(kafka.bootstrapServers.join(','), 'eos-txn', {
      'exactly.once.source.support': 'enabled',
      'plugin.path': FIXTURE,
    });
    try {
      await cluster.start(0);
      await cluster.healthy();
      const created = await http(cluster.url(0) + '/connectors', 'POST', {
        name: 'txn-source',
        config: {
          'connector.class': 'TxnBoundarySource',
          'transaction.boundary': 'connector',
          'exactly.once.support': 'required',
          'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
          'topic.creation.default.partitions': '1',
          'topic.creation.default.replication.factor': '1',
        },
      });
      expect(created.status).toBe(201);
      // Batches 2, 5 and 8 are aborted: 6 committed batches of 10 records.
      const expected = [0, 1, 3, 4, 6, 7].flatMap((b) => Array.from({ length: 10 }, (_, i) => `batch ${b} record ${b * 10 + i}`));
      const readAll = async (): Promise<string[] | null> => {
        const d = await log.describeTopic('txn-data');
        if (!d) return null;
        const out: string[] = [];
        let offset = 0;
        for (;;) {
          const batch = await log.fetch('txn-data', 0, offset, { maxRecords: 1000 });
          if (batch.length === 0) break;
          out.push(...batch.map((r) => r.value!.toString()));
          offset = batch[batch.length - 1]!.offset + 1;
        }
        return out;
      };
      const values = await waitFor(async () => {
        const out = await readAll();
        return out !== null && out.length >= expected.length ? out : null;
      }, 60_000, 'committed batches');
      expect(values).toEqual(expected);
      // The offsets move past the aborted batches too: the last committed offset names batch 8. Batch 8
      // is aborted after batch 7's records are visible, so its offset may land a moment later.
      const last = { partition: { source: 'txn' }, offset: { batch: 8 } };
      let offsets: unknown;
      await waitFor(async () => {
        offsets = (await http(cluster.url(0) + '/connectors/txn-source/offsets', 'GET')).body?.offsets;
        return JSON.stringify(offsets) === JSON.stringify([last]);
      }, 30_000, 'the offset of batch 8').catch(() => undefined);
      expect(offsets).toEqual([last]);
      // and batch 8 stays invisible after it
      expect(await readAll()).toEqual(expected);
    } finally {
      await cluster.stopAll();
    }
  });
});
