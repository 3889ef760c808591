import { S3Client } from '@aws-sdk/client-s3';
import type { Logger } from '@sluice/core';
import { BackoffRetryStrategy, type RetryEvent } from './backoff-retry-strategy.js';
import type { S3ConnectionSettings } from './s3-connection-config.js';

/**
 * Creates the SDK client for a connector or task: region, endpoint override, path-style
 * addressing, explicit keys or the standard credential chain, and `BackoffRetryStrategy` with the
 * configured retries. Each retry is logged at warn with the error code only (no payloads, no
 * keys). The caller owns the client and calls `destroy()` on stop.
 */
export function createS3Client(settings: S3ConnectionSettings, logger: Logger): S3Client {
  const onRetry = (event: RetryEvent): void => {
    logger.warn('S3 request failed; retrying', {
      retry: event.retry,
      maxRetries: settings.maxRetries,
      delayMs: event.delayMs,
      errorType: event.errorType,
      error: event.errorName,
      httpStatus: event.httpStatus,
    });
  };
  return new S3Client({
    region: settings.region,
    ...(settings.endpoint === null ? {} : { endpoint: settings.endpoint }),
    forcePathStyle: settings.forcePathStyle,
    ...(settings.credentials === null ? {} : { credentials: { ...settings.credentials } }),
    maxAttempts: settings.maxRetries + 1,
    retryStrategy: new BackoffRetryStrategy({
      maxRetries: settings.maxRetries,
      baseDelayMs: settings.retryBackoffMs,
      maxDelayMs: settings.maxRetryBackoffMs,
      onRetry,
    }),
  });
}
