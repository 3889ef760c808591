import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3Proxy, type S3Proxy } from '../../../connectors/s3/test/support/s3-proxy.js';
import { startS3Server, uniqueBucket, type S3TestServer } from '../../../connectors/s3/test/support/s3-server.js';
import { http, startWorkerProcess, tempDir, waitFor, type WorkerProcess } from '../support/worker-process.js';

const RECORDS = 5000;
const FLUSH_SIZE = 100;
const KILLS = 10;
const SEED = Number(process.env['SLUICE_TEST_SEED'] ?? Date.now() % 100_000);

/** mulberry32: a small seeded PRNG, so a failing run can be repeated with SLUICE_TEST_SEED. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0) : []);
const objectKey = (first: number) => `topics/events/partition=0/events+0+${String(first).padStart(10, '0')}.json`;

/**
 * The S3 sink's exactly-once claim under hard crashes: a worker is SIGKILLed up to ten times right after it
 * uploaded objects, mostly before it committed their offsets (commits run every second). Every
 * restart replays from the last committed offset and rewrites the same object keys with the same
 * contents, so the bucket ends with exactly the expected objects and each record exactly once.
 */
describe('S3 sink through a worker killed between upload and offset commit', () => {
  let s3: S3TestServer;
  let proxy: S3Proxy;
  let worker: WorkerProcess | undefined;
  beforeAll(async () => {
    s3 = await startS3Server();
    proxy = await startS3Proxy(s3.port);
  });
  afterAll(async () => {
    await worker?.kill('SIGKILL');
    await proxy?.stop();
    await s3?.stop();
  });

  it(`ends with the expected objects and every record exactly once after up to ${KILLS} kills (seed ${SEED})`, async () => {
    process.stderr.write(`s3-kill: seed ${SEED} (repeat with SLUICE_TEST_SEED=${SEED})\n`);
    const random = prng(SEED);
    const dir = tempDir('s3-kill');
    const dataDir = path.join(dir, 'data');
    const env = { SLUICE_OFFSET_FLUSH_INTERVAL_MS: '1000' };
    const bucket = uniqueBucket('kill');
    await s3.createBucket(bucket);

    // 1. Fill the topic once, without kills, so it holds each record exactly once.
    const input = path.join(dir, 'in.txt');
    const echo = path.join(dir, 'echo.txt');
    const expected = Array.from({ length: RECORDS }, (_, i) => `record ${String(i).padStart(5, '0')}`);
    writeFileSync(input, expected.join('\n') + '\n');
    worker = await startWorkerProcess({ dataDir, env });
    const create = async (w: WorkerProcess, name: string, config: Record<string, string>) => {
      const r = await http(w.url + '/connectors', 'POST', { name, config });
      expect(r.status, r.text).toBe(201);
    };
    await create(worker, 'file-in', { 'connector.class': 'FileStreamSource', file: input, topic: 'events' });
    await create(worker, 'echo', { 'connector.class': 'FileStreamSink', file: echo, topics: 'events' });
    await waitFor(() => lines(echo).length >= RECORDS, 60_000, 'every record in the topic');
    expect(lines(echo)).toEqual(expected);
    for (const name of ['file-in', 'echo']) expect((await http(`${worker.url}/connectors/${name}`, 'DELETE')).status).toBe(204);

    // 2. The S3 sink, through a proxy that shows each upload as it happens.
    await create(worker, 'to-s3', {
      'connector.class': 'io.confluent.connect.s3.S3SinkConnector',
      topics: 'events',
      ...s3.connection(bucket, proxy.endpoint),
      'format.class': 'json',
      'flush.size': String(FLUSH_SIZE),
    });
    // A slow link (200 ms per object) so that no incarnation gets through the whole topic before it is killed.
    proxy.delay = (req) => (req.method === 'PUT' ? 200 : 0);
    const uploads = () => proxy.requests.filter((r) => r.method === 'PUT' || (r.method === 'POST' && r.url.includes('uploadId='))).length;

    // The sink is done once the last offset is committed; a fast incarnation may get there before all
    // ten kills have happened, and then there is nothing left to interrupt.
    const committedAll = async (w: WorkerProcess) => {
      const r = await http(`${w.url}/connectors/to-s3/offsets`, 'GET').catch(() => undefined);
      const offsets = (r?.body?.offsets ?? []) as { offset?: { kafka_offset?: number } }[];
      return offsets.some((o) => o.offset?.kafka_offset === RECORDS);
    };
    let killed = 0;
    while (killed < KILLS) {
      const before = uploads();
      const current = worker!;
      // Kill soon after an upload in this incarnation: then wait a random while (see below).
      await waitFor(async () => uploads() > before || (await committedAll(current)), 60_000, `an upload after restart ${killed}`);
      if (uploads() === before) break;
      // Three kills in four land before the next offset commit (every second), the rest after one.
      const delay = random() < 0.75 ? random() * 300 : 1000 + random() * 400;
      await new Promise((r) => setTimeout(r, Math.floor(delay)));
      await worker.kill('SIGKILL');
      killed++;
      worker = await startWorkerProcess({ dataDir, env });
    }

    // 3. Let the last incarnation finish: every expected object, nothing else.
    const expectedKeys = Array.from({ length: RECORDS / FLUSH_SIZE }, (_, i) => objectKey(i * FLUSH_SIZE));
    await waitFor(async () => (await s3.keys(bucket)).length >= expectedKeys.length, 90_000, 'every object');
    await waitFor(() => committedAll(worker!), 30_000, 'the last offset committed');
    process.stderr.write(`s3-kill: ${killed} kills\n`);
    // Most incarnations are killed long before the end (50 objects at 200 ms each take 10 s).
    expect(killed).toBeGreaterThanOrEqual(KILLS / 2);
    expect((await s3.keys(bucket)).sort()).toEqual(expectedKeys);
    const stored: string[] = [];
    for (const key of expectedKeys) stored.push(...(await s3.text(bucket, key)).split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as string));
    expect(stored).toEqual(expected);
    // The kills really landed between upload and commit: some objects were uploaded more than once.
    const objectPuts = proxy.requests.filter((r) => r.method === 'PUT' && r.url.includes('/topics/events/'));
    process.stderr.write(`s3-kill: ${objectPuts.length} object uploads for ${expectedKeys.length} objects over ${killed} kills\n`);
    expect(objectPuts.length).toBeGreaterThan(expectedKeys.length);
    const status = await http(`${worker.url}/connectors/to-s3/status`, 'GET');
    expect(status.body?.tasks?.[0]?.state).toBe('RUNNING');
  }, 240_000);
});
