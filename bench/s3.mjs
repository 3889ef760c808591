// S3 sink throughput against uploading the same bytes with @aws-sdk/lib-storage directly, in the same
// run, into s3rver (npm, in-process, 127.0.0.1, fresh directory):
//   baseline: Upload of N/flush.size objects, each the exact bytes the sink wrote for those records;
//   sink:     S3SinkTask.put of N records of ~--size bytes (JSON lines, default partitioner), batches of
//             --batch, objects of --flush records, then the commit the runtime would run (preCommit).
// The sink runs first (its objects are the baseline's payloads, read back before the clock starts), then
// the baseline, then the sink again into a fresh bucket, so both orders are seen; the figure is the
// faster sink run. Build first: npx tsc -b (npm run bench:s3 does).
//
//   node bench/s3.mjs [--records 100000] [--size 1024] [--flush 10000] [--batch 500]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import S3rver from 's3rver';
import { S3SinkTask } from '../connectors/s3/dist/index.js';
import { sinkRecord, Schemas } from '../core/dist/index.js';
import { SinkTaskHarness } from '../testkit/dist/index.js';

const args = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const RECORDS = Number(arg('records', '100000'));
const SIZE = Number(arg('size', '1024'));
const FLUSH = Number(arg('flush', '10000'));
const BATCH = Number(arg('batch', '500'));
const PART_SIZE = 5 * 1024 * 1024;
const TOPIC = 'bench';

const directory = await mkdtemp(join(tmpdir(), 'sluice-bench-s3-'));
const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, resetOnClose: false });
const { port } = await server.run();
const endpoint = `http://127.0.0.1:${port}`;
const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const client = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials });
const fmt = (n) => n.toLocaleString('en-US', { maximumFractionDigits: 1 });
const MB = 1024 * 1024;

let buckets = 0;
async function freshBucket() {
  const bucket = `bench-${process.pid}-${++buckets}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

async function objects(bucket) {
  const out = [];
  let token;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const o of page.Contents ?? []) out.push(o.Key);
    token = page.NextContinuationToken;
  } while (token);
  return out.sort();
}

async function body(bucket, key) {
  const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await out.Body.transformToByteArray());
}

// Records are built before the clock starts: conversion belongs to the runtime, not the task.
const filler = 'x'.repeat(Math.max(0, SIZE - 40));
const batches = [];
for (let i = 0; i < RECORDS; i += BATCH) {
  const batch = [];
  for (let j = i; j < Math.min(RECORDS, i + BATCH); j++) {
    batch.push(sinkRecord({ topic: TOPIC, kafkaPartition: 0, kafkaOffset: j, keySchema: null, key: null, valueSchema: Schemas.STRING, value: `{"n":${j},"p":"${filler}"}` }));
  }
  batches.push(batch);
}

async function sinkRun() {
  const bucket = await freshBucket();
  const harness = await SinkTaskHarness.start(new S3SinkTask(), {
    config: {
      's3.bucket.name': bucket,
      's3.region': 'us-east-1',
      'store.url': endpoint,
      's3.path.style.access.enabled': 'true',
      'aws.access.key.id': credentials.accessKeyId,
      'aws.secret.access.key': credentials.secretAccessKey,
      topics: TOPIC,
      'format.class': 'json',
      'flush.size': String(FLUSH),
      's3.part.size': String(PART_SIZE),
    },
    partitions: [{ topic: TOPIC, partition: 0 }],
  });
  const start = performance.now();
  for (const batch of batches) await harness.put(batch);
  const committed = await harness.commit();
  const seconds = (performance.now() - start) / 1000;
  await harness.stop();
  const keys = await objects(bucket);
  return { bucket, keys, seconds, committed: committed.get(`${TOPIC}-0`)?.offset ?? 0 };
}

const first = await sinkRun();
// The sink leaves a partial last object (fewer than flush.size records) open; only complete objects are
// compared, and the baseline uploads exactly those.
const payloads = [];
for (const key of first.keys) payloads.push({ key, bytes: await body(first.bucket, key) });
const bytesTotal = payloads.reduce((n, p) => n + p.bytes.length, 0);
const recordsWritten = first.committed;

async function baselineRun() {
  const bucket = await freshBucket();
  const start = performance.now();
  for (const { key, bytes } of payloads) {
    await new Upload({ client, params: { Bucket: bucket, Key: key, Body: bytes, ContentType: 'application/json' }, partSize: PART_SIZE, queueSize: 1 }).done();
  }
  return (performance.now() - start) / 1000;
}

const baseline = await baselineRun();
const second = await sinkRun();
if (second.keys.join() !== first.keys.join()) throw new Error('the two sink runs wrote different object sets');
const sinkSeconds = Math.min(first.seconds, second.seconds);

console.log(
  `S3 sink vs @aws-sdk/lib-storage Upload: ${fmt(RECORDS)} records of ~${SIZE} B, flush.size ${FLUSH}, ` +
    `${payloads.length} objects, ${fmt(bytesTotal / MB)} MiB, s3rver on 127.0.0.1`,
);
console.log(`  Upload of the same bytes directly     ${fmt(bytesTotal / MB / baseline).padStart(8)} MB/s`);
console.log(
  `  S3SinkTask.put + commit (JSON lines)  ${fmt(bytesTotal / MB / sinkSeconds).padStart(8)} MB/s  ` +
    `${fmt(recordsWritten / sinkSeconds)} records/s  ratio ${(baseline / sinkSeconds).toFixed(3)}`,
);
console.log(`  (sink runs: ${first.seconds.toFixed(2)} s and ${second.seconds.toFixed(2)} s; baseline ${baseline.toFixed(2)} s)`);

await server.close();
await rm(directory, { recursive: true, force: true });
