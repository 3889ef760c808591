import { gunzipSync } from 'node:zlib';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SchemaBuilder, Schemas, Struct, type TopicPartition } from '@sluice/core';
import { SinkTaskHarness, sinkRecords } from '@sluice/testkit';
import { S3SinkTask } from '../src/index.js';
import { startS3Proxy, type S3Proxy } from './support/s3-proxy.js';
import { startS3Server, uniqueBucket, type S3TestServer } from './support/s3-server.js';

let s3: S3TestServer;
const harnesses: SinkTaskHarness[] = [];
const TP0: TopicPartition = { topic: 'orders', partition: 0 };
const TP1: TopicPartition = { topic: 'orders', partition: 1 };

beforeAll(async () => {
  s3 = await startS3Server();
});
afterAll(async () => {
  await s3?.stop();
});
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.stop()));
});

async function sink(
  bucket: string,
  config: Record<string, string>,
  endpoint?: string,
): Promise<SinkTaskHarness<S3SinkTask>> {
  const harness = await SinkTaskHarness.start(new S3SinkTask(), {
    config: { ...s3.connection(bucket, endpoint), topics: 'orders', ...config },
    partitions: [TP0, TP1],
  });
  harnesses.push(harness);
  return harness;
}

async function freshBucket(label: string): Promise<string> {
  const bucket = uniqueBucket(label);
  await s3.createBucket(bucket);
  return bucket;
}

const orderSchema = SchemaBuilder.struct()
  .name('Order')
  .field('id', Schemas.INT64)
  .field('region', Schemas.STRING)
  .field('amount', Schemas.FLOAT64)
  .field('placedAt', SchemaBuilder.int64().name('org.apache.kafka.connect.data.Timestamp').version(1).build())
  .build();

function orders(n: number, regionOf: (i: number) => string = () => 'eu'): Struct[] {
  return Array.from({ length: n }, (_, i) =>
    new Struct(orderSchema)
      .put('id', i)
      .put('region', regionOf(i))
      .put('amount', i + 0.5)
      .put('placedAt', new Date(Date.UTC(2024, 0, 15, 22 + Math.floor(i / 2), 0))),
  );
}

describe('S3 sink against an S3-compatible server', () => {
  it('writes JSON lines under topics/<topic>/partition=<p>/ named by first offset, and commits them', async () => {
    const bucket = await freshBucket('json');
    const h = await sink(bucket, { 'format.class': 'json', 'flush.size': '2' });
    await h.put([
      ...sinkRecords('orders', 0, orders(4), 0, { valueSchema: orderSchema }),
      ...sinkRecords('orders', 1, ['x', 'y', 'z'], 100),
    ]);
    const offsets = await h.commit();
    expect([offsets.get('orders-0')?.offset, offsets.get('orders-1')?.offset]).toEqual([4, 102]);
    expect((await s3.keys(bucket)).sort()).toEqual([
      'topics/orders/partition=0/orders+0+0000000000.json',
      'topics/orders/partition=0/orders+0+0000000002.json',
      'topics/orders/partition=1/orders+1+0000000100.json',
    ]);
    expect(await s3.text(bucket, 'topics/orders/partition=0/orders+0+0000000002.json')).toBe(
      // placedAt as JsonConverter writes a Timestamp: epoch ms (2024-01-15T23:00Z)
      '{"id":2,"region":"eu","amount":2.5,"placedAt":1705359600000}\n{"id":3,"region":"eu","amount":3.5,"placedAt":1705359600000}\n',
    );
    expect(await s3.text(bucket, 'topics/orders/partition=1/orders+1+0000000100.json')).toBe('"x"\n"y"\n');
  });

  it('gzips JSON and CSV objects and names them .gz', async () => {
    const bucket = await freshBucket('gzip');
    const json = await sink(bucket, {
      'format.class': 'json',
      'flush.size': '3',
      's3.compression.type': 'gzip',
      'topics.dir': 'lake/json',
    });
    await json.put(sinkRecords('orders', 0, orders(3), 0, { valueSchema: orderSchema }));
    const csv = await sink(bucket, {
      'format.class': 'csv',
      'flush.size': '3',
      's3.compression.type': 'gzip',
      'topics.dir': 'lake/csv',
    });
    await csv.put(sinkRecords('orders', 0, orders(3), 0, { valueSchema: orderSchema }));
    expect((await s3.keys(bucket)).sort()).toEqual([
      'lake/csv/orders/partition=0/orders+0+0000000000.csv.gz',
      'lake/json/orders/partition=0/orders+0+0000000000.json.gz',
    ]);
    const jsonText = gunzipSync(
      await s3.bytes(bucket, 'lake/json/orders/partition=0/orders+0+0000000000.json.gz'),
    ).toString();
    expect(
      jsonText
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l).id),
    ).toEqual([0, 1, 2]);
    const csvText = gunzipSync(
      await s3.bytes(bucket, 'lake/csv/orders/partition=0/orders+0+0000000000.csv.gz'),
    ).toString();
    expect(csvText).toBe(
      'id,region,amount,placedAt\n0,eu,0.5,2024-01-15T22:00:00.000Z\n1,eu,1.5,2024-01-15T22:00:00.000Z\n2,eu,2.5,2024-01-15T23:00:00.000Z\n',
    );
  });

  it('writes Parquet with typed columns from the record schema', async () => {
    const bucket = await freshBucket('parquet');
    const h = await sink(bucket, { 'format.class': 'parquet', 'flush.size': '4' });
    await h.put(sinkRecords('orders', 0, orders(4), 0, { valueSchema: orderSchema }));
    const [key] = await s3.keys(bucket);
    expect(key).toBe('topics/orders/partition=0/orders+0+0000000000.snappy.parquet');
    const bytes = await s3.bytes(bucket, key as string);
    const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const meta = parquetMetadata(file);
    expect(meta.schema.slice(1).map((e) => [e.name, e.type, e.converted_type ?? null])).toEqual([
      ['id', 'INT64', null],
      ['region', 'BYTE_ARRAY', 'UTF8'],
      ['amount', 'DOUBLE', null],
      ['placedAt', 'INT64', 'TIMESTAMP_MILLIS'],
    ]);
    const rows = await parquetReadObjects({ file });
    expect(rows.map((r) => [r['id'], r['region'], r['amount'], (r['placedAt'] as Date).toISOString()])).toEqual([
      [0n, 'eu', 0.5, '2024-01-15T22:00:00.000Z'],
      [1n, 'eu', 1.5, '2024-01-15T22:00:00.000Z'],
      [2n, 'eu', 2.5, '2024-01-15T23:00:00.000Z'],
      [3n, 'eu', 3.5, '2024-01-15T23:00:00.000Z'],
    ]);
  });

  it('writes raw bytes with the configured extension and separator', async () => {
    const bucket = await freshBucket('bytes');
    const h = await sink(bucket, {
      'format.class': 'io.confluent.connect.s3.format.bytearray.ByteArrayFormat',
      'flush.size': '2',
      'format.bytearray.extension': '.txt',
      'format.bytearray.separator': '\\r\\n',
    });
    await h.put(
      sinkRecords('orders', 0, [Buffer.from('one'), Buffer.from('two')], 0, { valueSchema: Schemas.OPTIONAL_BYTES }),
    );
    expect(await s3.keys(bucket)).toEqual(['topics/orders/partition=0/orders+0+0000000000.txt']);
    expect(await s3.text(bucket, 'topics/orders/partition=0/orders+0+0000000000.txt')).toBe('one\r\ntwo\r\n');
  });

  it('lays records out by field values with the field partitioner', async () => {
    const bucket = await freshBucket('field');
    const h = await sink(bucket, {
      'format.class': 'json',
      'flush.size': '6',
      'partitioner.class': 'io.confluent.connect.storage.partitioner.FieldPartitioner',
      'partition.field.name': 'region',
    });
    await h.put(
      sinkRecords(
        'orders',
        0,
        orders(6, (i) => (i % 3 === 0 ? 'us' : 'eu')),
        10,
        { valueSchema: orderSchema },
      ),
    );
    expect((await s3.keys(bucket)).sort()).toEqual([
      'topics/orders/region=eu/orders+0+0000000011.json',
      'topics/orders/region=us/orders+0+0000000010.json',
    ]);
    const us = (await s3.text(bucket, 'topics/orders/region=us/orders+0+0000000010.json')).trimEnd().split('\n');
    expect(us.map((l) => JSON.parse(l).id)).toEqual([0, 3]);
  });

  it('lays records out by time windows of a record field, in the configured time zone', async () => {
    const bucket = await freshBucket('time');
    const h = await sink(bucket, {
      'format.class': 'json',
      'flush.size': '4',
      'partitioner.class': 'io.confluent.connect.storage.partitioner.TimeBasedPartitioner',
      'path.format': "'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH",
      'partition.duration.ms': '3600000',
      locale: 'en_US',
      timezone: 'Europe/Oslo',
      'timestamp.extractor': 'RecordField',
      'timestamp.field': 'placedAt',
    });
    // placedAt: 22:00, 22:00, 23:00, 23:00 UTC = 23:00 on the 15th and 00:00 on the 16th in Oslo
    await h.put(sinkRecords('orders', 0, orders(4), 0, { valueSchema: orderSchema }));
    expect((await s3.keys(bucket)).sort()).toEqual([
      'topics/orders/year=2024/month=01/day=15/hour=23/orders+0+0000000000.json',
      'topics/orders/year=2024/month=01/day=16/hour=00/orders+0+0000000002.json',
    ]);
  });

  it('tags objects with their offsets and fixed tags', async () => {
    const bucket = await freshBucket('tags');
    const h = await sink(bucket, {
      'format.class': 'json',
      'flush.size': '2',
      's3.object.tagging': 'true',
      's3.object.tags': 'owner=data',
    });
    await h.put(sinkRecords('orders', 0, ['a', 'b'], 5));
    expect(await s3.tags(bucket, 'topics/orders/partition=0/orders+0+0000000005.json')).toEqual({
      owner: 'data',
      startOffset: '5',
      endOffset: '6',
      recordCount: '2',
    });
  });

  it('uploads a large object in s3.part.size parts and reassembles it exactly', async () => {
    const bucket = await freshBucket('multipart');
    let proxy: S3Proxy | null = null;
    try {
      proxy = await startS3Proxy(s3.port);
      const h = await sink(
        bucket,
        { 'format.class': 'bytes', 'flush.size': '12', 's3.part.size': String(5 * 1024 * 1024) },
        proxy.endpoint,
      );
      const values = Array.from({ length: 12 }, (_, i) => Buffer.alloc(1024 * 1024, 65 + i));
      await h.put(sinkRecords('orders', 0, values, 0, { valueSchema: Schemas.OPTIONAL_BYTES }));
      const key = 'topics/orders/partition=0/orders+0+0000000000.bin';
      const object = await s3.bytes(bucket, key);
      expect(object.length).toBe(12 * (1024 * 1024 + 1));
      expect(object.equals(Buffer.concat(values.flatMap((v) => [v, Buffer.from('\n')])))).toBe(true);
      const calls = proxy.requests.filter((r) => r.url.startsWith(`/${bucket}/`));
      expect(calls.filter((r) => r.method === 'POST' && r.url.includes('uploads')).length).toBe(1);
      expect(calls.filter((r) => r.method === 'PUT' && /partNumber=\d+/.test(r.url)).length).toBe(3);
      expect(calls.filter((r) => r.method === 'POST' && r.url.includes('uploadId=')).length).toBe(1);
    } finally {
      await Promise.all(harnesses.splice(0).map((h) => h.stop()));
      await proxy?.stop();
    }
  });
});
