import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type S3rverClass from 's3rver';
import {
  CreateBucketCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';

/**
 * A real S3-compatible server for integration tests: s3rver (npm dev dependency) on 127.0.0.1 with
 * a free port and a fresh temporary directory, plus a plain SDK client to inspect what the
 * connectors wrote. The AWS SDK v3 works against it with an explicit endpoint and path-style
 * addressing (`forcePathStyle`), which is what `store.url` + `s3.path.style.access.enabled` give.
 */
export interface S3TestServer {
  /** e.g. http://127.0.0.1:41234 */
  readonly endpoint: string;
  readonly port: number;
  readonly client: S3Client;
  /** the connector config keys that reach this server */
  connection(bucket: string, endpoint?: string): Record<string, string>;
  createBucket(name: string): Promise<void>;
  keys(bucket: string, prefix?: string): Promise<string[]>;
  bytes(bucket: string, key: string): Promise<Buffer>;
  text(bucket: string, key: string): Promise<string>;
  tags(bucket: string, key: string): Promise<Record<string, string>>;
  put(bucket: string, key: string, body: string | Uint8Array): Promise<void>;
  stop(): Promise<void>;
}

const ACCESS_KEY = 'S3RVER';
const SECRET_KEY = 'S3RVER';

/**
 * Starts s3rver. s3rver ships with the workspace, so it is always available; if it cannot be loaded
 * the tests fail (rather than skip) with a message saying how to install it.
 */
export async function startS3Server(): Promise<S3TestServer> {
  let S3rver: typeof S3rverClass;
  try {
    S3rver = (await import('s3rver')).default;
  } catch (err) {
    throw new Error(
      's3rver is not installed; run `npm install` at the repository root (it is a devDependency of @sluice/connector-s3)',
      { cause: err },
    );
  }
  const directory = await mkdtemp(join(tmpdir(), 'sluice-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, resetOnClose: false });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
  });
  const bytes = async (bucket: string, key: string): Promise<Buffer> => {
    const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from(await (out.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
  };
  return {
    endpoint,
    port,
    client,
    connection: (bucket, via = endpoint) => ({
      's3.bucket.name': bucket,
      's3.region': 'us-east-1',
      'store.url': via,
      's3.path.style.access.enabled': 'true',
      'aws.access.key.id': ACCESS_KEY,
      'aws.secret.access.key': SECRET_KEY,
    }),
    async createBucket(name) {
      await client.send(new CreateBucketCommand({ Bucket: name }));
    },
    async keys(bucket, prefix = '') {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }),
        );
        for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
      return keys;
    },
    bytes,
    text: async (bucket, key) => (await bytes(bucket, key)).toString('utf8'),
    async tags(bucket, key) {
      const out = await client.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key }));
      return Object.fromEntries((out.TagSet ?? []).map((t) => [t.Key, t.Value]));
    },
    async put(bucket, key, body) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    },
    async stop() {
      client.destroy();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

let bucketCounter = 0;
/** A bucket name unique within the run (S3 names: lower case, digits, dashes). */
export function uniqueBucket(label: string): string {
  return `${label}-${process.pid}-${++bucketCounter}`.toLowerCase();
}
