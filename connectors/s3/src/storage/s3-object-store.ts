import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectTaggingCommand,
  type ObjectCannedACL,
  type PutObjectCommandInput,
  type S3Client,
  type ServerSideEncryption,
  type StorageClass,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { ConnectError, NotFoundError, RetriableError, type Logger } from '@sluice/core';
import type { ObjectInfo, ObjectStore, ObjectUpload } from './object-store.js';

/** Per-object settings applied to every upload. */
export interface ObjectWriteOptions {
  /** bytes per multipart part; objects smaller than one part go up in a single PUT */
  readonly partSizeBytes: number;
  readonly serverSideEncryption?: ServerSideEncryption;
  readonly kmsKeyId?: string;
  /** SSE-C key (base64 or raw 32 bytes as text); sent as AES256 customer key */
  readonly customerKey?: string;
  readonly cannedAcl?: ObjectCannedACL;
  readonly storageClass?: StorageClass;
  readonly contentType?: string;
}

/**
 * `ObjectStore` over the AWS SDK. Uploads stream through `@aws-sdk/lib-storage` with one part in
 * flight per object, so each open object holds about two parts in memory at most. Tags are set
 * with PutObjectTagging after the object is complete (S3 has no atomic tags for multipart uploads,
 * and some S3-compatible servers ignore the tagging header).
 */
export class S3ObjectStore implements ObjectStore {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly logger: Logger,
    private readonly writeOptions: ObjectWriteOptions = { partSizeBytes: 25 * 1024 * 1024 },
  ) {}

  startUpload(key: string): ObjectUpload {
    return new S3ObjectUpload(this.client, this.bucket, key, this.writeOptions, this.logger);
  }

  async *list(prefix: string, signal?: AbortSignal): AsyncIterable<ObjectInfo> {
    let token: string | undefined;
    do {
      const page = await this.send(
        () =>
          this.client.send(
            new ListObjectsV2Command({
              Bucket: this.bucket,
              Prefix: prefix,
              ...(token ? { ContinuationToken: token } : {}),
            }),
            { abortSignal: signal },
          ),
        `listing s3://${this.bucket}/${prefix}`,
      );
      for (const o of page.Contents ?? []) {
        if (o.Key !== undefined) yield { key: o.Key, sizeBytes: o.Size ?? 0 };
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  async readStream(key: string, signal?: AbortSignal): Promise<AsyncIterable<Uint8Array>> {
    const what = `reading s3://${this.bucket}/${key}`;
    const body = await this.send(async () => {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key, ...this.customerKeyParams() }),
        { abortSignal: signal },
      );
      return out.Body as AsyncIterable<Uint8Array> | undefined;
    }, what);
    if (body === undefined) return (async function* () {})();
    // a connection lost in the middle of the body is as retriable as one lost before it
    return (async function* () {
      try {
        for await (const chunk of body) yield chunk;
      } catch (err) {
        if (signal?.aborted) throw err;
        throw new RetriableError(`${what} failed mid-object: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
    })();
  }

  close(): void {
    this.client.destroy();
  }

  private customerKeyParams(): Partial<PutObjectCommandInput> {
    const key = this.writeOptions.customerKey;
    return key === undefined ? {} : { SSECustomerAlgorithm: 'AES256', SSECustomerKey: key };
  }

  private async send<T>(op: () => Promise<T>, what: string): Promise<T> {
    try {
      return await op();
    } catch (err) {
      throw toConnectError(err, what);
    }
  }
}

class S3ObjectUpload implements ObjectUpload {
  readonly #stream = new PassThrough();
  readonly #upload: Upload;
  readonly #done: Promise<unknown>;
  #failure: unknown = null;
  #state: 'open' | 'completing' | 'done' | 'aborted' = 'open';

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    readonly key: string,
    options: ObjectWriteOptions,
    private readonly logger: Logger,
  ) {
    this.#upload = new Upload({
      client,
      queueSize: 1,
      partSize: options.partSizeBytes,
      leavePartsOnError: false,
      params: {
        Bucket: bucket,
        Key: key,
        Body: this.#stream,
        ...(options.serverSideEncryption ? { ServerSideEncryption: options.serverSideEncryption } : {}),
        ...(options.kmsKeyId ? { SSEKMSKeyId: options.kmsKeyId } : {}),
        ...(options.customerKey ? { SSECustomerAlgorithm: 'AES256', SSECustomerKey: options.customerKey } : {}),
        ...(options.cannedAcl ? { ACL: options.cannedAcl } : {}),
        ...(options.storageClass ? { StorageClass: options.storageClass } : {}),
        ...(options.contentType ? { ContentType: options.contentType } : {}),
      },
    });
    this.#done = this.#upload.done();
    // Observed here so a failure while nobody awaits is not an unhandled rejection; surfaced by write/complete.
    this.#done.catch((err: unknown) => {
      this.#failure = err;
    });
  }

  async write(chunk: Uint8Array): Promise<void> {
    this.#assertOpen('write');
    if (this.#stream.write(chunk)) return;
    // The upload stops reading when a part fails, so a bare 'drain' wait could hang forever.
    await Promise.race([
      once(this.#stream, 'drain'),
      this.#done.then(() => {
        throw new ConnectError(`upload of ${this.key} finished before its body ended`);
      }),
    ]).catch((err: unknown) => {
      throw toConnectError(this.#failure ?? err, `uploading s3://${this.bucket}/${this.key}`);
    });
  }

  async complete(tags?: Readonly<Record<string, string>>): Promise<void> {
    this.#assertOpen('complete');
    this.#state = 'completing';
    this.#stream.end();
    try {
      await this.#done;
      if (tags !== undefined && Object.keys(tags).length > 0) {
        await this.client.send(
          new PutObjectTaggingCommand({
            Bucket: this.bucket,
            Key: this.key,
            Tagging: { TagSet: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
          }),
        );
      }
      this.#state = 'done';
    } catch (err) {
      this.#state = 'aborted';
      throw toConnectError(err, `uploading s3://${this.bucket}/${this.key}`);
    }
  }

  async abort(): Promise<void> {
    if (this.#state === 'done' || this.#state === 'aborted') return;
    this.#state = 'aborted';
    try {
      await this.#upload.abort();
    } catch (err) {
      this.logger.debug('aborting an upload failed', { key: this.key, error: describe(err) });
    }
    // Destroying with an error makes the part reader throw instead of seeing a clean end of body.
    this.#stream.destroy(new Error('upload aborted'));
    await this.#done.catch(() => undefined);
  }

  #assertOpen(op: string): void {
    if (this.#failure !== null) throw toConnectError(this.#failure, `uploading s3://${this.bucket}/${this.key}`);
    if (this.#state !== 'open')
      throw new ConnectError(`${op}() on an upload that is ${this.#state}`, { context: { key: this.key } });
  }
}

/** Names the error without its body: S3 error code, HTTP status, message. */
function describe(err: unknown): string {
  if (err instanceof Error) {
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    return `${err.name}${status === undefined ? '' : ` (HTTP ${status})`}: ${err.message}`;
  }
  return String(err);
}

const CREDENTIAL_ERRORS = new Set(['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'InvalidToken', 'AuthorizationHeaderMalformed']);
const NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EPIPE']);

/** Maps SDK failures onto core errors; transient ones are marked retriable (they outlasted the retries). */
export function toConnectError(err: unknown, what: string): ConnectError {
  if (ConnectError.is(err)) return err;
  const status = (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
  const name = err instanceof Error ? err.name : '';
  const code = (err as { code?: unknown } | null)?.code;
  // Misconfiguration, not a passing fault: say which setting to fix, and do not retry.
  if (name === 'NoSuchBucket') {
    return new ConnectError(
      `${what} failed: the bucket does not exist (${describe(err)}); create it or fix s3.bucket.name (and store.url / s3.region if it lives elsewhere)`,
      { cause: err, retriable: false },
    );
  }
  if (status === 403 || CREDENTIAL_ERRORS.has(name)) {
    return new ConnectError(
      `${what} failed: S3 refused the request (${describe(err)}); check aws.access.key.id / aws.secret.access.key ` +
        '(or the credentials of the default AWS chain) and the bucket policy',
      { cause: err, retriable: false },
    );
  }
  if (status === undefined && typeof code === 'string' && NETWORK_ERRORS.has(code)) {
    return new ConnectError(`${what} failed: cannot reach the S3 endpoint (${code}: ${describe(err)}); check store.url and the network`, {
      cause: err,
      retriable: true,
    });
  }
  if (status === 404 || name === 'NoSuchKey' || name === 'NotFound') {
    return new NotFoundError(`${what} failed: not found`, { cause: err });
  }
  const retriable = status === undefined || status >= 500 || status === 429 || name === 'SlowDown';
  return new ConnectError(`${what} failed: ${describe(err)}`, { cause: err, retriable });
}
