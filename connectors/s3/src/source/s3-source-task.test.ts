import { describe, expect, it } from 'vitest';
import { Schemas, type SourceRecord } from '@sluice/core';
import { SinkTaskHarness, SourceTaskHarness, sinkRecords } from '@sluice/testkit';
import { S3SinkTask } from '../sink/s3-sink-task.js';
import { InMemoryObjectStore } from '../storage/in-memory-object-store.js';
import { TASK_COUNT_KEY, TASK_INDEX_KEY } from './s3-source-config.js';
import { S3SourceTask } from './s3-source-task.js';

const SOURCE = {
  's3.bucket.name': 'bucket',
  'format.class': 'json',
  'store.envelope': 'true',
  's3.poll.interval.ms': '10',
  'record.batch.max.size': '2',
};

async function sinkInto(
  store: InMemoryObjectStore,
  partitions: Record<number, string[]>,
  flushSize = 3,
): Promise<void> {
  const sink = await SinkTaskHarness.start(new S3SinkTask({ store: () => store }), {
    config: {
      's3.bucket.name': 'bucket',
      'format.class': 'json',
      'store.envelope': 'true',
      'flush.size': String(flushSize),
      topics: 'orders',
    },
    partitions: Object.keys(partitions).map((p) => ({ topic: 'orders', partition: Number(p) })),
  });
  for (const [p, values] of Object.entries(partitions))
    await sink.put(
      sinkRecords('orders', Number(p), values, 0, {
        keyFor: (i) => `k${i}`,
        keySchema: Schemas.STRING,
        timestamp: 1_000,
      }),
    );
  await sink.stop();
}

const source = (store: InMemoryObjectStore) => () => new S3SourceTask({ store: () => store, maxPollWaitMs: 5 });
const summary = (records: readonly SourceRecord[]) =>
  records.map((r) => `${r.topic}/${r.kafkaPartition}/${String(r.key)}=${String(r.value)}`);

describe('S3 source task', () => {
  it('restores what the sink wrote to the original topic, partition, key and timestamp, in order', async () => {
    const store = new InMemoryObjectStore();
    await sinkInto(store, { 0: ['a', 'b', 'c', 'd', 'e', 'f'], 1: ['x', 'y', 'z'] });
    const harness = await SourceTaskHarness.start(source(store), { config: SOURCE });
    const records = await harness.pollRecords(9);
    expect(summary(records.filter((r) => r.kafkaPartition === 0))).toEqual(
      ['a', 'b', 'c', 'd', 'e', 'f'].map((v, i) => `orders/0/k${i}=${v}`),
    );
    expect(summary(records.filter((r) => r.kafkaPartition === 1))).toEqual(
      ['x', 'y', 'z'].map((v, i) => `orders/1/k${i}=${v}`),
    );
    expect(new Set(records.map((r) => r.timestamp))).toEqual(new Set([1000, 1001, 1002, 1003, 1004, 1005]));
    await harness.stop();
  });

  it('resumes in the middle of an object after a crash, from the committed position', async () => {
    const store = new InMemoryObjectStore();
    await sinkInto(store, { 0: ['a', 'b', 'c', 'd', 'e', 'f'] });
    const harness = await SourceTaskHarness.start(source(store), { config: SOURCE });
    expect(summary(await harness.pollRecords(2))).toEqual(['orders/0/k0=a', 'orders/0/k1=b']);
    await harness.commitOffsets();
    expect(harness.committedOffset({ bucket: 'bucket', stream: 'topics/orders/partition=0/orders+0' })).toEqual({
      object: 'topics/orders/partition=0/orders+0+0000000000.json',
      records: 2,
      done: false,
    });
    // a batch ends with its object: c is the rest of the first one
    expect(summary(await harness.poll())).toEqual(['orders/0/k2=c']);
    await harness.restart(); // crash: c was never committed
    expect(summary(await harness.pollRecords(4))).toEqual([
      'orders/0/k2=c',
      'orders/0/k3=d',
      'orders/0/k4=e',
      'orders/0/k5=f',
    ]);
    await harness.stop();
  });

  it('picks up objects written after it started', async () => {
    const store = new InMemoryObjectStore();
    await sinkInto(store, { 0: ['a', 'b', 'c'] });
    const harness = await SourceTaskHarness.start(source(store), { config: SOURCE });
    expect(await harness.pollRecords(3)).toHaveLength(3);
    expect(await harness.poll()).toEqual([]);
    const sink = await SinkTaskHarness.start(new S3SinkTask({ store: () => store }), {
      config: {
        's3.bucket.name': 'bucket',
        'format.class': 'json',
        'store.envelope': 'true',
        'flush.size': '2',
        topics: 'orders',
      },
      partitions: [{ topic: 'orders', partition: 0 }],
    });
    await sink.put(sinkRecords('orders', 0, ['d', 'e'], 3));
    await sink.stop();
    expect(summary(await harness.pollRecords(2)).map((s) => s.split('=')[1])).toEqual(['d', 'e']);
    await harness.stop();
  });

  it('shares the streams between tasks so that each record is read by exactly one', async () => {
    const store = new InMemoryObjectStore();
    await sinkInto(store, Object.fromEntries(Array.from({ length: 6 }, (_, p) => [p, [`p${p}a`, `p${p}b`]])), 2);
    const read: string[] = [];
    for (let i = 0; i < 3; i++) {
      const h = await SourceTaskHarness.start(source(store), {
        config: { ...SOURCE, [TASK_INDEX_KEY]: String(i), [TASK_COUNT_KEY]: '3' },
      });
      await h.pollUntil(() => false, { timeoutMs: 300 }).catch(() => undefined);
      read.push(...h.records.map((r) => String(r.value)));
      await h.stop();
    }
    expect(read.sort()).toEqual(
      Array.from({ length: 6 }, (_, p) => [`p${p}a`, `p${p}b`])
        .flat()
        .sort(),
    );
  });

  it('reads any objects under a prefix into one topic in GENERIC mode', async () => {
    const store = new InMemoryObjectStore();
    for (const [key, text] of [
      ['in/b.txt', 'three\n'],
      ['in/a.txt', 'one\ntwo\n'],
      ['elsewhere/c.txt', 'no\n'],
    ] as const) {
      const u = store.startUpload(key);
      await u.write(new TextEncoder().encode(text));
      await u.complete();
    }
    const harness = await SourceTaskHarness.start(source(store), {
      config: {
        's3.bucket.name': 'bucket',
        'format.class': 'lines',
        mode: 'GENERIC',
        topic: 'lines',
        'topics.dir': 'in',
        's3.poll.interval.ms': '10',
      },
    });
    const records = await harness.pollRecords(3);
    expect(records.map((r) => [r.topic, r.kafkaPartition, r.value])).toEqual([
      ['lines', null, 'one'],
      ['lines', null, 'two'],
      ['lines', null, 'three'],
    ]);
    await harness.stop();
  });

  it('fails on an object it cannot read, naming the object', async () => {
    const store = new InMemoryObjectStore();
    const u = store.startUpload('topics/orders/partition=0/orders+0+0000000000.json');
    await u.write(new TextEncoder().encode('{not json\n'));
    await u.complete();
    const harness = await SourceTaskHarness.start(source(store), { config: SOURCE });
    await expect(harness.pollRecords(1, { timeoutMs: 2000 })).rejects.toThrow(/orders\+0\+0000000000\.json/);
    await harness.stop();
  });

  it('reads objects as their bytes arrive and resumes after a read that breaks midway, losing and repeating nothing', async () => {
    /** Serves objects 3 bytes at a time; the first read of each object breaks after `breakAfter` chunks. */
    class FlakyStore extends InMemoryObjectStore {
      readonly broken = new Set<string>();
      constructor(private readonly breakAfter: number) {
        super();
        this.streamChunkBytes = 3;
      }
      override async readStream(key: string): Promise<AsyncIterable<Uint8Array>> {
        const inner = await super.readStream(key);
        if (this.broken.has(key)) return inner;
        this.broken.add(key);
        const limit = this.breakAfter;
        return (async function* () {
          let n = 0;
          for await (const chunk of inner) {
            if (n++ === limit) throw new Error('socket hang up');
            yield chunk;
          }
        })();
      }
    }
    const store = new FlakyStore(300); // ~900 bytes: a few records in
    const values = Array.from({ length: 12 }, (_, i) => `value-${i}`);
    await sinkInto(store, { 0: values }, 12);
    const harness = await SourceTaskHarness.start(source(store), { config: { ...SOURCE, 'record.batch.max.size': '1' } });
    const got: SourceRecord[] = [];
    let failures = 0;
    let emittedBeforeFailure = 0;
    while (got.length < 12) {
      try {
        got.push(...(await harness.poll()));
      } catch (err) {
        failures++;
        emittedBeforeFailure = got.length;
        expect((err as Error).message).toMatch(/reading s3 object topics\/orders\/partition=0\/orders\+0\+0000000000\.json failed: socket hang up/);
        expect((err as Error).name).toBe('RetriableError');
        if (failures > 1) throw err;
      }
    }
    expect(failures).toBe(1);
    expect(emittedBeforeFailure).toBeGreaterThan(0);
    expect(summary(got)).toEqual(values.map((v, i) => `orders/0/k${i}=${v}`));
    // the last record's offset says the object is done
    expect(got.at(-1)!.sourceOffset).toEqual({ object: 'topics/orders/partition=0/orders+0+0000000000.json', records: 12, done: true });
    await harness.stop();
  });
});
