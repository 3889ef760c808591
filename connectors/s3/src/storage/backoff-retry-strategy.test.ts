import { describe, expect, it } from 'vitest';
import { BackoffRetryStrategy, type RetryEvent } from './backoff-retry-strategy.js';

const slowDown = { name: 'SlowDown', $metadata: { httpStatusCode: 503 } };

describe('S3 retry strategy', () => {
  it('retries throttling with doubling, capped, jittered delays and reports each retry', async () => {
    const events: RetryEvent[] = [];
    const strategy = new BackoffRetryStrategy({
      maxRetries: 5,
      baseDelayMs: 100,
      maxDelayMs: 350,
      random: () => 1 - Number.EPSILON,
      onRetry: (e) => events.push(e),
    });
    let token = await strategy.acquireInitialRetryToken('s3');
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      token = await strategy.refreshRetryTokenForRetry(token, { errorType: 'THROTTLING', error: slowDown as never });
      delays.push(token.getRetryDelay());
    }
    expect(delays).toEqual([100, 200, 350, 350]);
    expect(events.map((e) => [e.retry, e.errorName, e.httpStatus])).toEqual([
      [1, 'SlowDown', 503],
      [2, 'SlowDown', 503],
      [3, 'SlowDown', 503],
      [4, 'SlowDown', 503],
    ]);
    expect(
      new BackoffRetryStrategy({ maxRetries: 1, baseDelayMs: 100, maxDelayMs: 1000, random: () => 0 }).delayFor(1),
    ).toBe(50);
  });

  it('gives up after the configured retries and never retries client errors', async () => {
    const strategy = new BackoffRetryStrategy({ maxRetries: 1, baseDelayMs: 1, maxDelayMs: 1 });
    const first = await strategy.refreshRetryTokenForRetry(await strategy.acquireInitialRetryToken(''), {
      errorType: 'TRANSIENT',
    });
    await expect(strategy.refreshRetryTokenForRetry(first, { errorType: 'TRANSIENT' })).rejects.toThrow();
    await expect(
      strategy.refreshRetryTokenForRetry(await strategy.acquireInitialRetryToken(''), { errorType: 'CLIENT_ERROR' }),
    ).rejects.toThrow();
  });

  it('waits at least as long as a Retry-After hint, within the cap', async () => {
    const strategy = new BackoffRetryStrategy({ maxRetries: 3, baseDelayMs: 10, maxDelayMs: 5_000, random: () => 0 });
    const token = await strategy.refreshRetryTokenForRetry(await strategy.acquireInitialRetryToken(''), {
      errorType: 'THROTTLING',
      retryAfterHint: new Date(Date.now() + 2_000),
    });
    expect(token.getRetryDelay()).toBeGreaterThan(1_900);
    expect(token.getRetryDelay()).toBeLessThanOrEqual(2_000);
  });
});
