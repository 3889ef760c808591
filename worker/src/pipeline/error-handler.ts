import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@sluice/core';
import type { LogRecord } from '../log/log.js';
import { RetriableError, errorTrace } from '@sluice/core';

export type Stage =
  | 'TASK_POLL'
  | 'TASK_PUT'
  | 'TRANSFORMATION'
  | 'KEY_CONVERTER'
  | 'VALUE_CONVERTER'
  | 'HEADER_CONVERTER'
  | 'KAFKA_PRODUCE'
  | 'KAFKA_CONSUME';

export interface ErrorHandlingConfig {
  /** total retry budget for retriable failures; 0 = no retries, -1 = forever */
  retryTimeoutMs: number;
  retryDelayMaxMs: number;
  tolerance: 'none' | 'all';
  logEnable: boolean;
  logIncludeMessages: boolean;
}

/** Everything known about a failed record, for logs and the dead-letter queue. */
export interface FailureContext {
  stage: Stage;
  pluginName: string;
  error: Error;
  topic?: string;
  partition?: number;
  offset?: number;
  /** summary of the record for logs: only included when errors.log.include.messages=true */
  describe?: () => string;
  /** the record as read from the log (sinks): what the dead letter queue receives */
  raw?: LogRecord;
}

export type FailureReporter = (context: FailureContext) => Promise<void>;

/** Marker returned when a failure was tolerated and the record must be skipped. */
export const SKIP: unique symbol = Symbol('skip');

/**
 * Kafka Connect's RetryWithToleranceOperator: retries retriable failures of converters and transforms
 * with exponential backoff within `errors.retry.timeout`, then either fails (tolerance none) or
 * reports the record (log, DLQ) and skips it (tolerance all). Skips are never silent.
 */
export class ErrorHandler {
  private readonly reporters: FailureReporter[] = [];
  private failures = 0;
  private skipped = 0;
  /** observes every failure that was not retried away (metrics) */
  onFailure: ((stage: Stage, skipped: boolean) => void) | undefined;

  constructor(
    readonly config: ErrorHandlingConfig,
    private readonly logger: Logger,
  ) {}

  addReporter(reporter: FailureReporter): void {
    this.reporters.push(reporter);
  }

  get stats(): { failures: number; skipped: number } {
    return { failures: this.failures, skipped: this.skipped };
  }

  /**
   * Runs a synchronous stage without allocating a promise when it succeeds (the common case); a
   * failure goes through `execute` (retries, tolerance, reporting), which calls `fn` again.
   */
  run<T>(fn: () => T, context: Omit<FailureContext, 'error'>, signal?: AbortSignal): T | Promise<T | typeof SKIP> {
    try {
      return fn();
    } catch {
      return this.execute(fn, context, signal);
    }
  }

  /** Runs `fn`; resolves its result, or SKIP when the failure was tolerated; rethrows otherwise. */
  async execute<T>(fn: () => T | Promise<T>, context: Omit<FailureContext, 'error'>, signal?: AbortSignal): Promise<T | typeof SKIP> {
    const started = Date.now();
    let delay = 300;
    for (;;) {
      try {
        return await fn();
      } catch (raw) {
        const error = raw instanceof Error ? raw : new Error(String(raw));
        const budget = this.config.retryTimeoutMs;
        const elapsed = Date.now() - started;
        if (RetriableError.is(error) && (budget < 0 || elapsed + delay <= budget) && !signal?.aborted) {
          await sleep(Math.min(delay, this.config.retryDelayMaxMs), undefined, signal ? { signal } : undefined).catch(
            () => undefined,
          );
          delay *= 2;
          continue;
        }
        this.failures++;
        const full: FailureContext = { ...context, error };
        if (this.config.tolerance === 'none') {
          this.onFailure?.(context.stage, false);
          throw error;
        }
        await this.report(full);
        this.skipped++;
        this.onFailure?.(context.stage, true);
        return SKIP;
      }
    }
  }

  /** Reports a failure without a retry loop (errant records from sink tasks). */
  async report(context: FailureContext): Promise<void> {
    if (this.config.logEnable) {
      this.logger.error('Error encountered in task; record skipped', {
        stage: context.stage,
        plugin: context.pluginName,
        topic: context.topic,
        partition: context.partition,
        offset: context.offset,
        error: context.error.message,
        trace: errorTrace(context.error),
        ...(this.config.logIncludeMessages && context.describe ? { record: context.describe() } : {}),
      });
    }
    for (const reporter of this.reporters) await reporter(context);
  }
}

export function errorHandlingConfig(config: Readonly<Record<string, string>>): ErrorHandlingConfig {
  const num = (k: string, d: number) => {
    const v = config[k];
    return v === undefined || v.trim() === '' ? d : Number(v);
  };
  return {
    retryTimeoutMs: num('errors.retry.timeout', 0),
    retryDelayMaxMs: num('errors.retry.delay.max.ms', 60_000),
    tolerance: (config['errors.tolerance'] ?? 'none').toLowerCase() === 'all' ? 'all' : 'none',
    logEnable: (config['errors.log.enable'] ?? 'false').toLowerCase() === 'true',
    logIncludeMessages: (config['errors.log.include.messages'] ?? 'false').toLowerCase() === 'true',
  };
}
