import type { ConfigProperty } from '@sluice/core';

/** Where and as whom to reach the bucket; shared by the sink and the source. */
export interface S3ConnectionSettings {
  readonly bucket: string;
  readonly region: string;
  /** endpoint override (`store.url`) for S3-compatible servers; null = AWS's regional endpoint */
  readonly endpoint: string | null;
  readonly forcePathStyle: boolean;
  /** explicit keys, or null to use the standard AWS credential chain (env, profile, web identity, IMDS …) */
  readonly credentials: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
  } | null;
  /** retries after the first attempt of every request (`s3.part.retries`) */
  readonly maxRetries: number;
  /** first retry delay; doubles per retry up to `maxRetryBackoffMs` */
  readonly retryBackoffMs: number;
  readonly maxRetryBackoffMs: number;
}

const GROUP = 'S3';

/**
 * The connection keys, named as in Confluent's S3 connectors (`s3.bucket.name`, `s3.region`,
 * `store.url`, `s3.path.style.access.enabled`, `aws.access.key.id`, `aws.secret.access.key`,
 * `s3.part.retries`, `s3.retry.backoff.ms`). Returns a fresh object each call.
 */
export function s3ConnectionProperties(): Record<string, ConfigProperty> {
  return {
    's3.bucket.name': {
      type: 'string',
      minLength: 1,
      description: 'The S3 bucket.',
      'x-group': GROUP,
      'x-order': 1,
      'x-importance': 'HIGH',
      'x-width': 'LONG',
      'x-display-name': 'S3 Bucket',
    },
    's3.region': {
      type: 'string',
      minLength: 1,
      default: 'us-west-2',
      description: 'The AWS region of the bucket. S3-compatible servers usually accept any value.',
      'x-group': GROUP,
      'x-order': 2,
      'x-importance': 'MEDIUM',
      'x-width': 'LONG',
      'x-display-name': 'AWS region',
    },
    'store.url': {
      type: 'string',
      format: 'uri',
      description:
        'Endpoint override, e.g. http://127.0.0.1:9000 for MinIO or another S3-compatible server. Empty: the AWS endpoint of s3.region.',
      'x-group': GROUP,
      'x-order': 3,
      'x-importance': 'MEDIUM',
      'x-width': 'LONG',
      'x-display-name': 'Store URL',
    },
    's3.path.style.access.enabled': {
      type: 'boolean',
      default: true,
      description:
        'Address buckets by path (http://host/bucket/key) instead of by virtual host (http://bucket.host/key). Most S3-compatible servers need this.',
      'x-group': GROUP,
      'x-order': 4,
      'x-importance': 'LOW',
      'x-width': 'SHORT',
      'x-display-name': 'Path-style access',
    },
    'aws.access.key.id': {
      type: 'string',
      'x-secret': true,
      description:
        'Access key id. Leave aws.access.key.id and aws.secret.access.key unset to use the standard AWS credential chain (environment, shared config, web identity, instance metadata).',
      'x-group': GROUP,
      'x-order': 5,
      'x-importance': 'HIGH',
      'x-width': 'LONG',
      'x-display-name': 'AWS access key id',
    },
    'aws.secret.access.key': {
      type: 'string',
      'x-secret': true,
      description: 'Secret access key belonging to aws.access.key.id.',
      'x-group': GROUP,
      'x-order': 6,
      'x-importance': 'HIGH',
      'x-width': 'LONG',
      'x-display-name': 'AWS secret access key',
    },
    'aws.session.token': {
      type: 'string',
      'x-secret': true,
      description: 'Session token for temporary credentials given by aws.access.key.id and aws.secret.access.key.',
      'x-group': GROUP,
      'x-order': 7,
      'x-importance': 'LOW',
      'x-width': 'LONG',
      'x-display-name': 'AWS session token',
    },
    's3.part.retries': {
      type: 'integer',
      minimum: 0,
      default: 3,
      description:
        'How many times a failed S3 request (throttling such as 503 SlowDown, 5xx, timeouts, dropped connections) is retried before the operation fails. 0 disables retries.',
      'x-group': GROUP,
      'x-order': 8,
      'x-importance': 'MEDIUM',
      'x-width': 'SHORT',
      'x-display-name': 'S3 request retries',
    },
    's3.retry.backoff.ms': {
      type: 'integer',
      minimum: 0,
      default: 200,
      description:
        'Wait before the first retry of a failed S3 request; each further retry waits up to twice as long (with jitter), capped at s3.retry.backoff.max.ms. A Retry-After from the server is honoured up to that cap.',
      'x-group': GROUP,
      'x-order': 9,
      'x-importance': 'LOW',
      'x-width': 'SHORT',
      'x-display-name': 'Retry backoff (ms)',
    },
    's3.retry.backoff.max.ms': {
      type: 'integer',
      minimum: 0,
      default: 20_000,
      description: 'Longest wait between two attempts of an S3 request.',
      'x-group': GROUP,
      'x-order': 10,
      'x-importance': 'LOW',
      'x-width': 'SHORT',
      'x-display-name': 'Max retry backoff (ms)',
    },
  };
}

/** JSON Schema rule: explicit keys come in pairs. Merge into the plugin schema's `dependentRequired`. */
export const CREDENTIAL_PAIRS: Readonly<Record<string, string[]>> = Object.freeze({
  'aws.access.key.id': ['aws.secret.access.key'],
  'aws.secret.access.key': ['aws.access.key.id'],
  'aws.session.token': ['aws.access.key.id', 'aws.secret.access.key'],
});

/** Builds the connection settings from a config already parsed against `s3ConnectionProperties`. */
export function connectionSettings(parsed: Readonly<Record<string, unknown>>): S3ConnectionSettings {
  const str = (k: string): string | undefined => {
    const v = parsed[k];
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  const accessKeyId = str('aws.access.key.id');
  const secretAccessKey = str('aws.secret.access.key');
  const sessionToken = str('aws.session.token');
  return Object.freeze({
    bucket: parsed['s3.bucket.name'] as string,
    region: parsed['s3.region'] as string,
    endpoint: str('store.url') ?? null,
    forcePathStyle: parsed['s3.path.style.access.enabled'] as boolean,
    credentials:
      accessKeyId !== undefined && secretAccessKey !== undefined
        ? Object.freeze({ accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }) })
        : null,
    maxRetries: parsed['s3.part.retries'] as number,
    retryBackoffMs: parsed['s3.retry.backoff.ms'] as number,
    maxRetryBackoffMs: parsed['s3.retry.backoff.max.ms'] as number,
  });
}
