import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SchemaBuilder,
  Schemas,
  sinkRecord,
  Struct,
  type SinkOffsets,
  type SinkRecord,
  type TopicPartition,
} from '@sluice/core';
import { SinkTaskHarness } from '@sluice/testkit';
import { S3SinkTask } from '../src/index.js';
import { ConnectJson } from '../src/format/connect-json.js';
import { decodeObject } from '../src/format/format-registry.js';
import type { FormatName } from '../src/format/record-format.js';
import { startS3Server, uniqueBucket, type S3TestServer } from './support/s3-server.js';

let s3: S3TestServer;
beforeAll(async () => {
  s3 = await startS3Server();
});
afterAll(async () => {
  await s3?.stop();
});

const TPS: TopicPartition[] = [
  { topic: 'orders', partition: 0 },
  { topic: 'orders', partition: 1 },
];

const valueSchema = SchemaBuilder.struct()
  .name('Order')
  .field('region', Schemas.STRING)
  .field('seq', Schemas.INT32)
  .build();
const REGIONS = ['eu', 'us', 'apac'];

/** The topic as a log: per partition, records at offsets 0..n-1 with a region and a record time. */
function log(counts: readonly number[]): SinkRecord[][] {
  return counts.map((n, partition) =>
    Array.from({ length: n }, (_, offset) =>
      sinkRecord({
        topic: 'orders',
        kafkaPartition: partition,
        kafkaOffset: offset,
        keySchema: Schemas.STRING,
        key: `k${offset}`,
        valueSchema,
        value: new Struct(valueSchema)
          .put('region', REGIONS[(offset * 7 + partition) % 3] as string)
          .put('seq', offset),
        // uneven gaps, so time-based rotation falls at irregular offsets
        timestamp: 1_700_000_000_000 + offset * 1000 + ((offset * 37) % 11) * 90,
      }),
    ),
  );
}

/** Delivers the partitions' records from `from` (per partition) up to `to`, interleaved, in batches of `batch`. */
async function deliver(
  h: SinkTaskHarness,
  records: SinkRecord[][],
  from: readonly number[],
  to: readonly number[],
  batch: number,
): Promise<void> {
  const pos = [...from];
  while (pos.some((p, i) => p < (to[i] as number))) {
    const chunk: SinkRecord[] = [];
    records.forEach((partition, i) => {
      const end = Math.min(to[i] as number, (pos[i] as number) + batch);
      chunk.push(...partition.slice(pos[i], end));
      pos[i] = end;
    });
    await h.put(chunk);
  }
}

/** Every record in the bucket's objects: partition → offsets, in object order. */
async function offsetsInBucket(
  bucket: string,
  format: FormatName,
): Promise<{ byPartition: Map<number, number[]>; contents: Map<string, string> }> {
  const byPartition = new Map<number, number[]>();
  const contents = new Map<string, string>();
  const options = {
    envelope: true,
    json: new ConnectJson(),
    bytesSeparator: new Uint8Array(),
    parquetCodec: 'snappy' as const,
    parquetRowGroupRecords: 1,
  };
  for (const key of (await s3.keys(bucket)).sort()) {
    const bytes = await s3.bytes(bucket, key);
    contents.set(key, bytes.toString('base64'));
    for (const r of await decodeObject(format, bytes, options)) {
      const list = byPartition.get(r.partition as number) ?? [];
      list.push(r.offset as number);
      byPartition.set(r.partition as number, list);
      expect(r.key).toBe(`k${r.offset}`);
    }
  }
  return { byPartition, contents };
}

const committedPositions = (offsets: SinkOffsets): number[] =>
  TPS.map((tp) => offsets.get(`${tp.topic}-${tp.partition}`)?.offset ?? 0);

async function crashAndReplay(
  config: Record<string, string>,
  counts: number[],
  crashAt: number[],
  format: FormatName,
): Promise<void> {
  const bucket = uniqueBucket('eos');
  await s3.createBucket(bucket);
  const records = log(counts);
  const fullConfig = { ...s3.connection(bucket), topics: 'orders', 'store.envelope': 'true', ...config };

  // First run: deliver in batches of 7, commit once midway, keep going, then die without committing.
  const first = await SinkTaskHarness.start(new S3SinkTask(), { config: fullConfig, partitions: TPS });
  const midway = crashAt.map((c) => Math.floor(c / 2));
  await deliver(first, records, [0, 0], midway, 7);
  const committed = committedPositions(await first.commit());
  await deliver(first, records, midway, crashAt, 7);
  const beforeCrash = await offsetsInBucket(bucket, format);
  // objects were completed after the last commit: the crash leaves work the replay must redo
  const committedObjects = [...beforeCrash.byPartition.values()].flat().length;
  expect(committedObjects).toBeGreaterThan(committed.reduce((a, b) => a + b, 0));
  await first.task.stop(); // crash: no commit, open uploads abandoned

  // Second run: a new task instance resumes from the committed offsets and replays, batched differently.
  const second = await SinkTaskHarness.start(new S3SinkTask(), { config: fullConfig, partitions: TPS });
  await deliver(second, records, committed, counts, 4);
  const final = committedPositions(await second.commit());
  await second.stop();
  // the tail after the last rotation stays uncommitted (it would be replayed), but the replay got past the crash
  final.forEach((f, i) => expect(f).toBeGreaterThan(crashAt[i] as number));

  // exactly the committed records are in objects, each once
  const after = await offsetsInBucket(bucket, format);
  final.forEach((n, partition) => {
    const offsets = after.byPartition.get(partition) ?? [];
    expect(offsets.length, `partition ${partition}: no duplicates`).toBe(n);
    expect(
      [...offsets].sort((a, b) => a - b),
      `partition ${partition}: nothing missing`,
    ).toEqual(Array.from({ length: n }, (_, i) => i));
  });
  // what the crashed run had uploaded was rewritten identically, under the same keys
  for (const [key, content] of beforeCrash.contents) expect(after.contents.get(key), key).toBe(content);
}

describe('S3 sink exactly-once after a crash', () => {
  it('leaves every record exactly once with the default partitioner and flush.size rotation', async () => {
    await crashAndReplay({ 'format.class': 'json', 'flush.size': '5' }, [40, 30], [29, 23], 'json');
  });

  it('leaves every record exactly once with a field partitioner, record-time rotation and Parquet', async () => {
    await crashAndReplay(
      {
        'format.class': 'parquet',
        'flush.size': '9',
        'partitioner.class': 'field',
        'partition.field.name': 'region',
        'rotate.interval.ms': '4500',
        'timestamp.extractor': 'Record',
      },
      [45, 36],
      [31, 26],
      'parquet',
    );
  });

  it('leaves every record exactly once with an hourly time partitioner on record time and gzip CSV', async () => {
    await crashAndReplay(
      {
        'format.class': 'csv',
        's3.compression.type': 'gzip',
        'flush.size': '6',
        'partitioner.class': 'time',
        'path.format': "'day'=dd/'minute'=mm",
        'partition.duration.ms': '10000',
        'timestamp.extractor': 'Record',
      },
      [36, 24],
      [20, 17],
      'csv',
    );
  });
});
