import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConnectError, RetriableError, type TopicPartition } from '@sluice/core';
import { SinkTaskHarness, SourceTaskHarness, sinkRecords } from '@sluice/testkit';
import { S3SinkTask, S3SourceTask } from '../src/index.js';
import { startS3Server, uniqueBucket, type S3TestServer } from './support/s3-server.js';

/**
 * Misconfiguration and outages against a real S3-compatible server: the error names what to fix,
 * permanent problems fail the task, transient ones are retried, and no offset is committed for
 * records that are not in a complete object.
 */
let s3: S3TestServer;
const harnesses: SinkTaskHarness[] = [];
const TP0: TopicPartition = { topic: 'events', partition: 0 };
const FAST_RETRIES = { 's3.part.retries': '1', 's3.retry.backoff.ms': '10', 's3.retry.backoff.max.ms': '20' };

beforeAll(async () => {
  s3 = await startS3Server();
});
afterAll(async () => {
  await s3?.stop();
});
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.stop()));
});

async function sink(connection: Record<string, string>): Promise<SinkTaskHarness<S3SinkTask>> {
  const h = await SinkTaskHarness.start(new S3SinkTask(), {
    config: { ...connection, ...FAST_RETRIES, topics: 'events', 'format.class': 'json', 'flush.size': '2' },
    partitions: [TP0],
  });
  harnesses.push(h);
  return h;
}

/** A 127.0.0.1 port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function putError(h: SinkTaskHarness, records = sinkRecords('events', 0, ['a', 'b', 'c'], 0)): Promise<ConnectError> {
  const err = await h.put(records).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConnectError);
  return err as ConnectError;
}

describe('S3 sink failures', () => {
  it('fails (does not retry) on a bucket that does not exist, naming s3.bucket.name, and commits nothing', async () => {
    const bucket = uniqueBucket('missing');
    const h = await sink(s3.connection(bucket));
    const err = await putError(h);
    expect(RetriableError.is(err)).toBe(false);
    expect(err.message).toContain('the bucket does not exist');
    expect(err.message).toContain('NoSuchBucket');
    expect(err.message).toContain('s3.bucket.name');
    expect(err.message).toContain(`s3://${bucket}/`);
    expect((await h.commit()).get('events-0')?.offset ?? 0).toBe(0);
    // the partition was rewound to the first unwritten record, so a restarted task rewrites it
    expect(h.rewinds).toEqual([{ tp: TP0, offset: 0 }]);
  });

  it('fails on refused credentials, naming the credential settings, and writes and commits nothing', async () => {
    const bucket = uniqueBucket('creds');
    await s3.createBucket(bucket);
    const h = await sink({ ...s3.connection(bucket), 'aws.access.key.id': 'NOT-A-KEY', 'aws.secret.access.key': 'wrong' });
    const err = await putError(h);
    expect(RetriableError.is(err)).toBe(false);
    expect(err.message).toMatch(/S3 refused the request \((InvalidAccessKeyId|SignatureDoesNotMatch|AccessDenied) \(HTTP 403\)/);
    expect(err.message).toContain('aws.access.key.id');
    expect((await h.commit()).get('events-0')?.offset ?? 0).toBe(0);
    expect(await s3.keys(bucket)).toEqual([]);
    // the secret never appears in the error
    expect(err.message).not.toContain('wrong');
  });

  it('retries an unreachable endpoint as a transient fault, naming store.url, and commits nothing', async () => {
    const bucket = uniqueBucket('unreachable');
    await s3.createBucket(bucket);
    const port = await closedPort();
    const h = await sink(s3.connection(bucket, `http://127.0.0.1:${port}`));
    const err = await putError(h);
    expect(RetriableError.is(err)).toBe(true);
    expect(String((err.cause as Error | undefined)?.message)).toMatch(/cannot reach the S3 endpoint \(ECONNREFUSED/);
    expect(String((err.cause as Error | undefined)?.message)).toContain('store.url');
    expect((await h.commit()).get('events-0')?.offset ?? 0).toBe(0);
    expect(await s3.keys(bucket)).toEqual([]);
    const warnings = h.capturedLogs.at('warn').map((e) => String(e.fields['error'] ?? ''));
    expect(warnings.some((w) => w.includes('ECONNREFUSED'))).toBe(true);
  });

  it('keeps the records before a failure committed and everything after it uncommitted', async () => {
    const bucket = uniqueBucket('partial');
    await s3.createBucket(bucket);
    const good = await sink(s3.connection(bucket));
    await good.put(sinkRecords('events', 0, ['a', 'b', 'c'], 0));
    expect((await good.commit()).get('events-0')?.offset).toBe(2);
    // Same task config but the credentials were rotated away: the next object cannot be written.
    const bad = await sink({ ...s3.connection(bucket), 'aws.access.key.id': 'ROTATED', 'aws.secret.access.key': 'rotated-away' });
    const err = await putError(bad, sinkRecords('events', 0, ['c', 'd', 'e'], 2));
    expect(RetriableError.is(err)).toBe(false);
    expect((await bad.commit()).get('events-0')?.offset ?? 2).toBe(2);
    expect(await s3.keys(bucket)).toEqual(['topics/events/partition=0/events+0+0000000000.json']);
  });
});

describe('S3 source failures', () => {
  it('fails with a message naming s3.bucket.name when the bucket does not exist', async () => {
    const bucket = uniqueBucket('src-missing');
    const source = await SourceTaskHarness.start(() => new S3SourceTask({ maxPollWaitMs: 20 }), {
      config: { ...s3.connection(bucket), ...FAST_RETRIES, 'format.class': 'json', 'store.envelope': 'true', 's3.poll.interval.ms': '50' },
    });
    const err = await source.poll().then(
      () => null,
      (e: unknown) => e,
    );
    await source.stop();
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as Error).message).toContain('s3.bucket.name');
  });
});
