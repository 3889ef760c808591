import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3Server, uniqueBucket, type S3TestServer } from '../../../connectors/s3/test/support/s3-server.js';
import { http, startWorkerProcess, tempDir, waitFor, type WorkerProcess } from '../support/worker-process.js';

const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0) : []);

/** File → topic → S3 (data-lake layout) → S3 restore → another topic → file, through one worker. */
describe('S3 round trip through a standalone worker', () => {
  let s3: S3TestServer;
  let worker: WorkerProcess;
  let dir: string;
  beforeAll(async () => {
    s3 = await startS3Server();
    dir = tempDir('s3-pipeline');
    worker = await startWorkerProcess({ dataDir: path.join(dir, 'data') });
  });
  afterAll(async () => {
    await worker?.kill('SIGKILL');
    await s3?.stop();
  });

  it('lands records in Confluent-style objects and restores them losslessly', async () => {
    const bucket = uniqueBucket('pipeline');
    await s3.createBucket(bucket);
    const input = path.join(dir, 'in.txt');
    const output = path.join(dir, 'out.txt');
    writeFileSync(input, '');
    const create = async (name: string, config: Record<string, string>) => {
      const r = await http(worker.url + '/connectors', 'POST', { name, config });
      expect(r.status, r.text).toBe(201);
    };
    await create('file-in', { 'connector.class': 'FileStreamSource', file: input, topic: 'events' });
    await create('to-s3', {
      'connector.class': 'io.confluent.connect.s3.S3SinkConnector',
      topics: 'events',
      ...s3.connection(bucket),
      'format.class': 'json',
      'flush.size': '10',
      'store.envelope': 'true',
    });
    const expected = Array.from({ length: 30 }, (_, i) => `event ${i}`);
    appendFileSync(input, expected.join('\n') + '\n');
    const keys = await waitFor(async () => {
      const k = await s3.keys(bucket);
      return k.length >= 3 ? k : null;
    }, 30_000, 'three objects in the bucket');
    expect(keys.sort()).toEqual([
      'topics/events/partition=0/events+0+0000000000.json',
      'topics/events/partition=0/events+0+0000000010.json',
      'topics/events/partition=0/events+0+0000000020.json',
    ]);
    // Restore mode writes records back to their original topic; a RegexRouter renames it so the copy
    // can be told apart from the original, then a file sink writes it out.
    await create('from-s3', {
      'connector.class': 'S3Source',
      ...s3.connection(bucket),
      'format.class': 'json',
      'store.envelope': 'true',
      transforms: 'rename',
      'transforms.rename.type': 'RegexRouter',
      'transforms.rename.regex': 'events',
      'transforms.rename.replacement': 'restored',
    });
    await create('file-out', { 'connector.class': 'FileStreamSink', file: output, topics: 'restored' });
    await waitFor(() => lines(output).length >= expected.length, 60_000, 'restored records in the output file');
    expect(lines(output)).toEqual(expected);
  });
  it('fails the sink task with a trace naming s3.bucket.name when the bucket does not exist, committing nothing', async () => {
    const input = path.join(dir, 'missing-bucket-in.txt');
    writeFileSync(input, 'one\ntwo\nthree\n');
    const bucket = uniqueBucket('never-created');
    for (const [name, config] of [
      ['missing-in', { 'connector.class': 'FileStreamSource', file: input, topic: 'missing' }],
      ['missing-s3', { 'connector.class': 'S3Sink', topics: 'missing', ...s3.connection(bucket), 'format.class': 'json', 'flush.size': '1' }],
    ] as const) {
      const r = await http(worker.url + '/connectors', 'POST', { name, config });
      expect(r.status, r.text).toBe(201);
    }
    const task = await waitFor(async () => {
      const t = (await http(`${worker.url}/connectors/missing-s3/status`, 'GET')).body?.tasks?.[0];
      return t?.state === 'FAILED' ? t : null;
    }, 30_000, 'the S3 sink task to fail');
    expect(task.trace).toContain('the bucket does not exist');
    expect(task.trace).toContain('s3.bucket.name');
    const offsets = await http(`${worker.url}/connectors/missing-s3/offsets`, 'GET');
    const committed = ((offsets.body?.offsets ?? []) as { offset?: { kafka_offset?: number } }[]).map((o) => o.offset?.kafka_offset ?? 0);
    expect(committed.every((o) => o === 0)).toBe(true);
  });
});
