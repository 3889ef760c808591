import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Schemas, type TopicPartition } from '@sluice/core';
import { SinkTaskHarness, SourceTaskHarness, sinkRecords } from '@sluice/testkit';
import { S3SinkTask, S3SourceTask } from '../src/index.js';
import { startS3Proxy, type S3Proxy } from './support/s3-proxy.js';
import { startS3Server, uniqueBucket, type S3TestServer } from './support/s3-server.js';

let s3: S3TestServer;
let proxy: S3Proxy;
const TP0: TopicPartition = { topic: 'events', partition: 0 };

beforeAll(async () => {
  s3 = await startS3Server();
});
afterAll(async () => {
  await s3?.stop();
});
afterEach(async () => {
  await proxy?.stop();
});

async function bucketBehindProxy(label: string): Promise<string> {
  const bucket = uniqueBucket(label);
  await s3.createBucket(bucket);
  proxy = await startS3Proxy(s3.port);
  return bucket;
}

const RETRIES = { 's3.part.retries': '6', 's3.retry.backoff.ms': '20', 's3.retry.backoff.max.ms': '200' };

describe('S3 throttling and transient errors', () => {
  it('rides out 503 SlowDown with backoff and writes every object once', async () => {
    const bucket = await bucketBehindProxy('slowdown');
    proxy.throttle = (_req, i) => i < 4;
    const h = await SinkTaskHarness.start(new S3SinkTask(), {
      config: {
        ...s3.connection(bucket, proxy.endpoint),
        ...RETRIES,
        topics: 'events',
        'format.class': 'json',
        'flush.size': '2',
      },
      partitions: [TP0],
    });
    await h.put(sinkRecords('events', 0, ['a', 'b', 'c', 'd'], 0));
    expect((await h.commit()).get('events-0')?.offset).toBe(4);
    await h.stop();
    expect(proxy.throttled).toBe(4);
    expect((await s3.keys(bucket)).sort()).toEqual([
      'topics/events/partition=0/events+0+0000000000.json',
      'topics/events/partition=0/events+0+0000000002.json',
    ]);
    expect(await s3.text(bucket, 'topics/events/partition=0/events+0+0000000002.json')).toBe('"c"\n"d"\n');
    const retries = h.capturedLogs.at('warn').filter((e) => e.msg === 'S3 request failed; retrying');
    expect(retries.map((e) => [e.fields['error'], e.fields['httpStatus']])).toEqual(
      Array.from({ length: 4 }, () => ['SlowDown', 503]),
    );
    expect(retries.map((e) => e.fields['retry'])).toEqual([1, 2, 3, 4]);
  });

  it('retries throttled parts of a multipart upload', async () => {
    const bucket = await bucketBehindProxy('parts');
    let partAttempts = 0;
    proxy.throttle = (req) => /partNumber=/.test(req.url ?? '') && partAttempts++ % 2 === 0;
    const h = await SinkTaskHarness.start(new S3SinkTask(), {
      config: {
        ...s3.connection(bucket, proxy.endpoint),
        ...RETRIES,
        topics: 'events',
        'format.class': 'bytes',
        'flush.size': '11',
        's3.part.size': String(5 * 1024 * 1024),
      },
      partitions: [TP0],
    });
    const values = Array.from({ length: 11 }, (_, i) => Buffer.alloc(1024 * 1024, 97 + i));
    await h.put(sinkRecords('events', 0, values, 0, { valueSchema: Schemas.OPTIONAL_BYTES }));
    await h.stop();
    const object = await s3.bytes(bucket, 'topics/events/partition=0/events+0+0000000000.bin');
    expect(object.equals(Buffer.concat(values.flatMap((v) => [v, Buffer.from('\n')])))).toBe(true);
    expect(proxy.throttled).toBe(3);
  });

  it('when retries run out, rewinds to the unfinished objects and rewrites them once S3 recovers', async () => {
    const bucket = await bucketBehindProxy('outage');
    const h = await SinkTaskHarness.start(new S3SinkTask(), {
      config: {
        ...s3.connection(bucket, proxy.endpoint),
        's3.part.retries': '1',
        's3.retry.backoff.ms': '10',
        topics: 'events',
        'format.class': 'json',
        'flush.size': '3',
      },
      partitions: [TP0],
    });
    await h.put(sinkRecords('events', 0, ['a', 'b', 'c'], 0));
    proxy.throttle = (req) => req.method === 'PUT';
    await expect(h.put(sinkRecords('events', 0, ['d', 'e', 'f'], 3))).rejects.toMatchObject({ code: 'RETRIABLE' });
    expect(h.rewinds).toEqual([{ tp: TP0, offset: 3 }]);
    expect((await h.commit()).get('events-0')?.offset).toBe(3);
    expect(await s3.keys(bucket)).toEqual(['topics/events/partition=0/events+0+0000000000.json']);
    proxy.throttle = () => false;
    await h.put(sinkRecords('events', 0, ['d', 'e', 'f'], 3));
    expect((await h.commit()).get('events-0')?.offset).toBe(6);
    await h.stop();
    expect(await s3.text(bucket, 'topics/events/partition=0/events+0+0000000003.json')).toBe('"d"\n"e"\n"f"\n');
  });

  it('keeps reading through throttled listings and downloads', async () => {
    const bucket = await bucketBehindProxy('read');
    const sink = await SinkTaskHarness.start(new S3SinkTask(), {
      config: {
        ...s3.connection(bucket),
        topics: 'events',
        'format.class': 'json',
        'store.envelope': 'true',
        'flush.size': '2',
      },
      partitions: [TP0],
    });
    await sink.put(sinkRecords('events', 0, ['a', 'b', 'c', 'd', 'e', 'f'], 0));
    await sink.stop();
    proxy.throttle = (req, i) => req.method === 'GET' && i % 2 === 0;
    const source = await SourceTaskHarness.start(() => new S3SourceTask({ maxPollWaitMs: 20 }), {
      config: {
        ...s3.connection(bucket, proxy.endpoint),
        ...RETRIES,
        'format.class': 'json',
        'store.envelope': 'true',
        's3.poll.interval.ms': '50',
      },
    });
    const records = await source.pollRecords(6, { timeoutMs: 20_000 });
    expect(records.map((r) => r.value)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(proxy.throttled).toBeGreaterThanOrEqual(4);
    await source.stop();
  });
});
