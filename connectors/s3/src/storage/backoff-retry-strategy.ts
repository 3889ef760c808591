import type { S3ClientConfig } from '@aws-sdk/client-s3';

type RetryStrategyV2 = Extract<NonNullable<S3ClientConfig['retryStrategy']>, { acquireInitialRetryToken: unknown }>;
type RetryToken = Awaited<ReturnType<RetryStrategyV2['acquireInitialRetryToken']>>;
type RetryErrorInfo = Parameters<RetryStrategyV2['refreshRetryTokenForRetry']>[1];

/** What a retry looked like, for logs and metrics; never carries request or response bodies. */
export interface RetryEvent {
  /** 1 for the first retry */
  readonly retry: number;
  readonly delayMs: number;
  readonly errorType: RetryErrorInfo['errorType'];
  /** the S3 error code or JS error name, e.g. `SlowDown`, `ECONNRESET` */
  readonly errorName: string;
  readonly httpStatus: number | undefined;
}

export interface BackoffRetryOptions {
  /** retries after the first attempt; 0 disables retrying */
  readonly maxRetries: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** called before each retry waits */
  readonly onRetry?: (event: RetryEvent) => void;
  /** [0, 1) source for jitter; tests pass a fixed one */
  readonly random?: () => number;
}

/**
 * The SDK retry strategy the connectors install: retries throttling (429, 503 SlowDown, …),
 * transient errors (timeouts, resets, 500/502/503/504) and other 5xx responses with exponential
 * backoff and jitter — `baseDelayMs × 2^(retry-1)` scaled into [½, 1] of itself, capped at
 * `maxDelayMs`, and never shorter than a server's Retry-After (within the cap). Client errors
 * (4xx other than throttling) are not retried. Unlike the SDK's standard strategy it has no shared
 * retry quota, so a long throttling episode is ridden out request by request rather than failing
 * every request once the quota is spent. Safe to share between clients.
 */
export class BackoffRetryStrategy implements RetryStrategyV2 {
  readonly #options: BackoffRetryOptions;

  constructor(options: BackoffRetryOptions) {
    this.#options = options;
  }

  /** Delay before retry number `retry` (1-based), before any Retry-After hint. */
  delayFor(retry: number): number {
    const { baseDelayMs, maxDelayMs } = this.#options;
    const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(retry - 1, 30));
    const jitter = 0.5 + 0.5 * (this.#options.random ?? Math.random)();
    return Math.round(ceiling * jitter);
  }

  async acquireInitialRetryToken(_scope: string): Promise<RetryToken> {
    return token(0, 0);
  }

  async refreshRetryTokenForRetry(previous: RetryToken, info: RetryErrorInfo): Promise<RetryToken> {
    const retry = previous.getRetryCount() + 1;
    if (info.errorType === 'CLIENT_ERROR' || retry > this.#options.maxRetries) {
      // The middleware rethrows the request's own error when this rejects.
      throw new Error('no retry');
    }
    let delayMs = this.delayFor(retry);
    if (info.retryAfterHint !== undefined) {
      const hintMs = info.retryAfterHint.getTime() - Date.now();
      delayMs = Math.min(this.#options.maxDelayMs, Math.max(delayMs, hintMs));
    }
    const error = info.error as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
    this.#options.onRetry?.({
      retry,
      delayMs,
      errorType: info.errorType,
      errorName: error?.name ?? 'Error',
      httpStatus: error?.$metadata?.httpStatusCode,
    });
    return token(retry, delayMs);
  }

  recordSuccess(_token: RetryToken): void {}
}

function token(retryCount: number, delayMs: number): RetryToken {
  return { getRetryCount: () => retryCount, getRetryDelay: () => delayMs };
}
