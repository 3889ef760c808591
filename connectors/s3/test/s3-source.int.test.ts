import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Decimal,
  SchemaBuilder,
  Schemas,
  schemaEquals,
  sinkRecord,
  Struct,
  Timestamp,
  valueEquals,
  type SinkRecord,
  type SourceRecord,
  type TopicPartition,
} from '@sluice/core';
import { SinkTaskHarness, SourceTaskHarness } from '@sluice/testkit';
import { S3SinkTask, S3SourceConnector, S3SourceTask } from '../src/index.js';
import { startS3Server, uniqueBucket, type S3TestServer } from './support/s3-server.js';

let s3: S3TestServer;
beforeAll(async () => {
  s3 = await startS3Server();
});
afterAll(async () => {
  await s3?.stop();
});

const TPS: TopicPartition[] = [0, 1, 2].map((partition) => ({ topic: 'payments', partition }));
const keySchema = SchemaBuilder.struct().name('PaymentKey').field('id', Schemas.INT64).build();
const valueSchema = SchemaBuilder.struct()
  .name('Payment')
  .version(3)
  .field('id', Schemas.INT64)
  .field('amount', Decimal.builder(2).build())
  .field('currency', Schemas.STRING)
  .field('memo', Schemas.OPTIONAL_STRING)
  .field('at', Timestamp.schema())
  .field('tags', SchemaBuilder.array(Schemas.STRING).build())
  .build();

/** Records as a sink receives them: structured keys and values, headers of several kinds, tombstones. */
function payments(): SinkRecord[] {
  const out: SinkRecord[] = [];
  for (const tp of TPS) {
    for (let offset = 0; offset < 9; offset++) {
      const id = BigInt(tp.partition) * 1_000_000_000_000n + BigInt(offset) + 9_007_199_254_740_000n;
      const tombstone = offset === 5;
      out.push(
        sinkRecord({
          topic: tp.topic,
          kafkaPartition: tp.partition,
          kafkaOffset: offset,
          keySchema,
          key: new Struct(keySchema).put('id', id),
          valueSchema: tombstone ? null : valueSchema,
          value: tombstone
            ? null
            : new Struct(valueSchema)
                .put('id', id)
                .put('amount', Decimal.fromString(`${offset}1.0${tp.partition}`))
                .put('currency', 'NOK')
                .put('memo', offset % 2 === 0 ? null : `memo "${offset}", with comma\nand line`)
                .put('at', new Date(1_700_000_000_000 + offset))
                .put('tags', ['a', String(offset)]),
          timestamp: offset === 3 ? null : 1_700_000_000_000 + offset * 10,
          headers: [
            { key: 'trace', schema: Schemas.STRING, value: `t-${tp.partition}-${offset}` },
            { key: 'bin', schema: null, value: Uint8Array.of(offset, 0, 255) },
            { key: 'trace', schema: Schemas.OPTIONAL_INT32, value: offset === 4 ? null : offset },
          ],
        }),
      );
    }
  }
  return out;
}

async function backup(bucket: string, config: Record<string, string>, records: readonly SinkRecord[]): Promise<void> {
  const sink = await SinkTaskHarness.start(new S3SinkTask(), {
    config: { ...s3.connection(bucket), topics: 'payments', 'store.envelope': 'true', 'flush.size': '3', ...config },
    partitions: TPS,
  });
  await sink.put(records);
  await sink.stop();
}

function restoreHarness(
  bucket: string,
  config: Record<string, string> = {},
  committed?: Parameters<typeof SourceTaskHarness.start>[1]['committedOffsets'],
) {
  return SourceTaskHarness.start(() => new S3SourceTask({ maxPollWaitMs: 20 }), {
    config: {
      ...s3.connection(bucket),
      'store.envelope': 'true',
      's3.poll.interval.ms': '50',
      'record.batch.max.size': '4',
      ...config,
    },
    ...(committed ? { committedOffsets: committed } : {}),
  });
}

function expectRestored(restored: readonly SourceRecord[], original: readonly SinkRecord[]): void {
  expect(restored).toHaveLength(original.length);
  for (const tp of TPS) {
    const mine = (rs: readonly (SourceRecord | SinkRecord)[]) => rs.filter((r) => r.kafkaPartition === tp.partition);
    const got = mine(restored);
    const want = mine(original);
    expect(got).toHaveLength(want.length);
    got.forEach((r, i) => {
      const w = want[i] as SinkRecord;
      const where = `partition ${tp.partition} record ${i}`;
      expect(r.topic, where).toBe(w.topic);
      expect(r.timestamp, where).toBe(w.timestamp);
      expect(valueEquals(r.key, w.key), where).toBe(true);
      expect(r.keySchema !== null && schemaEquals(r.keySchema, w.keySchema as never), where).toBe(true);
      expect(valueEquals(r.value, w.value), where).toBe(true);
      expect(
        w.valueSchema === null ? r.valueSchema === null : schemaEquals(r.valueSchema as never, w.valueSchema),
        where,
      ).toBe(true);
      expect(
        r.headers.map((h) => h.key),
        where,
      ).toEqual(w.headers.map((h) => h.key));
      r.headers.forEach((h, j) => expect(valueEquals(h.value, w.headers[j]?.value), `${where} header ${j}`).toBe(true));
    });
  }
}

describe('S3 source restoring what the S3 sink wrote', () => {
  for (const [name, config] of [
    ['JSON lines', { 'format.class': 'json' }],
    ['gzip JSON lines', { 'format.class': 'json', 's3.compression.type': 'gzip' }],
    ['CSV', { 'format.class': 'csv' }],
    ['Parquet', { 'format.class': 'parquet' }],
  ] as const) {
    it(`restores key, value, headers, timestamp and partition losslessly from ${name} with envelopes`, async () => {
      const bucket = uniqueBucket('restore');
      await s3.createBucket(bucket);
      const original = payments();
      await backup(bucket, config, original);
      const harness = await restoreHarness(bucket, { 'format.class': config['format.class'] });
      const restored = await harness.pollRecords(original.length, { timeoutMs: 20_000 });
      expectRestored(restored, original);
      expect(await harness.poll()).toEqual([]);
      await harness.stop();
    });
  }

  it('restores topic and partition from object names when there are no envelopes', async () => {
    const bucket = uniqueBucket('plain');
    await s3.createBucket(bucket);
    const sink = await SinkTaskHarness.start(new S3SinkTask(), {
      config: { ...s3.connection(bucket), topics: 'payments', 'format.class': 'json', 'flush.size': '2' },
      partitions: TPS,
    });
    await sink.put(
      TPS.flatMap((tp) =>
        [0, 1].map((o) =>
          sinkRecord({
            topic: tp.topic,
            kafkaPartition: tp.partition,
            kafkaOffset: o,
            value: `v${tp.partition}${o}`,
            valueSchema: Schemas.STRING,
          }),
        ),
      ),
    );
    await sink.stop();
    const harness = await restoreHarness(bucket, { 'format.class': 'json', 'store.envelope': 'false' });
    const restored = await harness.pollRecords(6);
    expect(restored.map((r) => [r.topic, r.kafkaPartition, r.value]).sort()).toEqual(
      TPS.flatMap((tp) => [0, 1].map((o) => [tp.topic, tp.partition, `v${tp.partition}${o}`])).sort(),
    );
    await harness.stop();
  });

  it('resumes mid-object after a crash, without gaps or repeats of committed records', async () => {
    const bucket = uniqueBucket('resume');
    await s3.createBucket(bucket);
    const original = payments();
    await backup(bucket, { 'format.class': 'json' }, original);
    const harness = await restoreHarness(bucket, { 'format.class': 'json', 'record.batch.max.size': '2' });
    const firstBatch = await harness.poll();
    expect(firstBatch).toHaveLength(2);
    await harness.commitOffsets();
    // the committed position is inside the first object (of 3 records)
    expect(harness.committedOffsets().map((c) => c.offset)).toEqual([
      { object: 'topics/payments/partition=0/payments+0+0000000000.json', records: 2, done: false },
    ]);
    const uncommitted = await harness.poll();
    expect(uncommitted).toHaveLength(1);
    await harness.restart(); // crash: the second batch was never committed
    const rest = await harness.pollRecords(original.length - 2, { timeoutMs: 20_000 });
    expectRestored([...firstBatch, ...rest], original);
    await harness.stop();
  });

  it('splits the objects between tasks so that together they read every record once', async () => {
    const bucket = uniqueBucket('tasks');
    await s3.createBucket(bucket);
    const original = payments();
    await backup(bucket, { 'format.class': 'json' }, original);
    const connector = new S3SourceConnector();
    await connector.start({
      ...s3.connection(bucket),
      'format.class': 'json',
      'store.envelope': 'true',
      's3.poll.interval.ms': '50',
    });
    const configs = await connector.taskConfigs(2);
    const restored: SourceRecord[] = [];
    for (const config of configs) {
      const h = await SourceTaskHarness.start(() => new S3SourceTask({ maxPollWaitMs: 20 }), { config });
      await h.pollUntil(() => false, { timeoutMs: 1_500 }).catch(() => undefined);
      restored.push(...h.records);
      await h.stop();
    }
    await connector.stop();
    expect(configs).toHaveLength(2);
    expectRestored(restored, original);
  });

  it('picks up objects the sink writes while it is running', async () => {
    const bucket = uniqueBucket('live');
    await s3.createBucket(bucket);
    const original = payments();
    const harness = await restoreHarness(bucket, { 'format.class': 'json' });
    expect(await harness.poll()).toEqual([]);
    await backup(bucket, { 'format.class': 'json' }, original);
    const restored = await harness.pollRecords(original.length, { timeoutMs: 20_000 });
    expectRestored(restored, original);
    await harness.stop();
  });
});

describe('S3 source in GENERIC mode', () => {
  it('reads CSV, JSON lines and raw lines under a prefix, object by object in key order, into one topic', async () => {
    const bucket = uniqueBucket('generic');
    await s3.createBucket(bucket);
    await s3.put(bucket, 'exports/2024/02.csv', 'id,name\n3,"c, d"\n');
    await s3.put(bucket, 'exports/2024/01.csv', 'id,name\n1,a\n2,\n');
    await s3.put(bucket, 'other/ignored.csv', 'id,name\n9,z\n');
    const csv = await SourceTaskHarness.start(() => new S3SourceTask({ maxPollWaitMs: 20 }), {
      config: {
        ...s3.connection(bucket),
        mode: 'GENERIC',
        topic: 'imports',
        'format.class': 'csv',
        'topics.dir': 'exports',
        's3.poll.interval.ms': '50',
      },
    });
    const rows = await csv.pollRecords(3);
    expect(rows.map((r) => [r.topic, (r.value as Struct).get('id'), (r.value as Struct).get('name')])).toEqual([
      ['imports', '1', 'a'],
      ['imports', '2', null],
      ['imports', '3', 'c, d'],
    ]);
    await csv.stop();

    await s3.put(bucket, 'logs/app.log', 'first line\nsecond line\n');
    const lines = await SourceTaskHarness.start(() => new S3SourceTask({ maxPollWaitMs: 20 }), {
      config: {
        ...s3.connection(bucket),
        mode: 'GENERIC',
        topic: 'logs',
        'format.class': 'lines',
        'topics.dir': 'logs',
        's3.poll.interval.ms': '50',
      },
    });
    expect((await lines.pollRecords(2)).map((r) => r.value)).toEqual(['first line', 'second line']);
    await lines.stop();
  });

  it('streams a large gzipped object: every line in order, a batch in memory at a time, resumable in the middle', async () => {
    const bucket = uniqueBucket('large');
    await s3.createBucket(bucket);
    const count = 200_000;
    const text = Array.from({ length: count }, (_, i) => JSON.stringify({ n: i, pad: 'x'.repeat(40) })).join('\n') + '\n';
    await s3.put(bucket, 'big/part-0000.json.gz', gzipSync(Buffer.from(text)));
    const config = {
      ...s3.connection(bucket),
      mode: 'GENERIC',
      topic: 'big',
      'format.class': 'json',
      'topics.dir': 'big',
      's3.poll.interval.ms': '50',
      'record.batch.max.size': '5000',
    };
    const harness = await SourceTaskHarness.start(() => new S3SourceTask({ maxPollWaitMs: 20 }), { config });
    let next = 0;
    let largestBatch = 0;
    const read = async (until: number) => {
      while (next < until) {
        const batch = (await harness.poll()) ?? [];
        largestBatch = Math.max(largestBatch, batch.length);
        for (const r of batch) expect(((r.value as Map<string, unknown>).get('n') as number)).toBe(next++);
      }
    };
    await read(80_000);
    await harness.commitOffsets();
    await harness.poll(); // more, never committed
    await harness.restart(); // a crash: resume from the committed position, in the middle of the object
    next = 80_000; // read() checks every n: the restarted task must go on at exactly 80,000
    await read(count);
    expect(largestBatch).toBeLessThanOrEqual(5000);
    await harness.stop();
  }, 120_000);
});
