import { ConnectError, DataError, RetriableError, type SinkRecord } from '@sluice/core';
import { errorMessage } from '../connection/mongo-connection.js';
import { isTransientMongoError } from '../source/change-stream-errors.js';
import type { SinkTopicSettings } from './mongo-sink-config.js';
import type { MongoSinkPort } from './mongo-sink-port.js';
import type { SinkNamespace } from './namespace-mapper.js';
import type { PlannedWrite } from './planned-write.js';

/** A write bound to its record, target and settings. */
export interface BoundWrite {
  readonly record: SinkRecord;
  readonly write: PlannedWrite;
  readonly ns: SinkNamespace;
  readonly settings: SinkTopicSettings;
}

/** A record whose write the server rejected for good (validation, duplicate key, …). */
export interface FailedWrite {
  readonly record: SinkRecord;
  readonly error: DataError;
}

interface WriteErrorLike {
  index?: unknown;
  code?: unknown;
  errmsg?: unknown;
  message?: unknown;
}

const DUPLICATE_KEY = 11000;

/**
 * Writes planned records with bulk writes: grouped by collection in record order, at most
 * `max.batch.size` per bulk write, and never two writes to the same document in one bulk write (so
 * unordered writes keep per-document order). Transient failures (network, failover, write concern)
 * are retried `max.num.retries` times, `retries.defer.timeout` apart, re-sending only writes not
 * known to be applied; an insert that meets a duplicate key on a retry already happened and counts
 * as done. Writes the server rejects are returned as failures for the errant-record reporter.
 * @throws RetriableError when retries are exhausted (the runtime redelivers the batch; the default
 *   writes are idempotent), ConnectError for non-transient failures of a whole bulk write.
 */
export class BulkWriter {
  private bulkWrites = 0;

  constructor(
    private readonly port: MongoSinkPort,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  async write(writes: readonly BoundWrite[]): Promise<FailedWrite[]> {
    const failures: FailedWrite[] = [];
    for (const chunk of chunks(writes)) failures.push(...(await this.writeChunk(chunk)));
    return failures;
  }

  private async writeChunk(chunk: BoundWrite[]): Promise<FailedWrite[]> {
    const first = chunk[0] as BoundWrite;
    const { settings, ns } = first;
    const failures: FailedWrite[] = [];
    let remaining = chunk;
    let attempt = 0;
    while (remaining.length > 0) {
      await this.rateLimit(settings);
      try {
        await this.port.bulkWrite(ns.db, ns.coll, remaining.map((w) => w.write.op), settings.ordered);
        return failures;
      } catch (err) {
        const writeErrors = writeErrorsOf(err);
        let retry: BoundWrite[];
        if (writeErrors === null) {
          if (!isTransientMongoError(err)) {
            throw new ConnectError(`bulk write to ${ns.db}.${ns.coll} failed: ${errorMessage(err)}`, { cause: err, context: { database: ns.db, collection: ns.coll } });
          }
          retry = remaining;
        } else {
          retry = [];
          let firstFailed = Number.POSITIVE_INFINITY;
          for (const we of writeErrors) {
            const index = typeof we.index === 'number' ? we.index : -1;
            const entry = remaining[index];
            if (entry === undefined) continue;
            firstFailed = Math.min(firstFailed, index);
            const code = typeof we.code === 'number' ? we.code : undefined;
            if (attempt > 0 && code === DUPLICATE_KEY && 'insertOne' in entry.write.op) continue;
            if (code !== undefined && isTransientMongoError({ code })) {
              retry.push(entry);
            } else {
              const message = typeof we.errmsg === 'string' ? we.errmsg : typeof we.message === 'string' ? we.message : 'write rejected';
              failures.push({
                record: entry.record,
                error: new DataError(`MongoDB rejected the write to ${ns.db}.${ns.coll}: ${message}${code === undefined ? '' : ` (code ${code})`}`, {
                  cause: we,
                  context: { topic: entry.record.topic, partition: entry.record.kafkaPartition, offset: entry.record.kafkaOffset, mongoErrorCode: code },
                }),
              });
            }
          }
          // an ordered bulk write stops at its first error: everything after it was never attempted
          if (settings.ordered && Number.isFinite(firstFailed)) retry.push(...remaining.slice(firstFailed + 1));
          if (hasWriteConcernError(err)) retry = remaining.filter((w) => !failures.some((f) => f.record === w.record));
        }
        remaining = retry;
        if (remaining.length === 0) return failures;
        attempt++;
        if (attempt > settings.maxRetries) {
          throw new RetriableError(`bulk write to ${ns.db}.${ns.coll} still failing after ${settings.maxRetries} retries: ${errorMessage(err)}`, {
            cause: err,
            context: { database: ns.db, collection: ns.coll },
          });
        }
        await this.sleep(settings.retryDelayMs);
      }
    }
    return failures;
  }

  private async rateLimit(settings: SinkTopicSettings): Promise<void> {
    this.bulkWrites++;
    if (settings.rateLimitEveryN > 0 && settings.rateLimitTimeoutMs > 0 && this.bulkWrites % settings.rateLimitEveryN === 0) {
      await this.sleep(settings.rateLimitTimeoutMs);
    }
  }
}

/** Splits writes into bulk-write chunks: one collection each, size-capped, no document twice. */
export function chunks(writes: readonly BoundWrite[]): BoundWrite[][] {
  const byNamespace = new Map<string, BoundWrite[]>();
  for (const w of writes) {
    const key = `${w.ns.db}\u0000${w.ns.coll}`;
    const list = byNamespace.get(key);
    if (list === undefined) byNamespace.set(key, [w]);
    else list.push(w);
  }
  const out: BoundWrite[][] = [];
  for (const list of byNamespace.values()) {
    let current: BoundWrite[] = [];
    let seen = new Set<string>();
    for (const w of list) {
      const max = w.settings.maxBatchSize;
      const repeat = w.write.identity !== null && seen.has(w.write.identity);
      if (current.length > 0 && (repeat || (max > 0 && current.length >= max))) {
        out.push(current);
        current = [];
        seen = new Set();
      }
      current.push(w);
      if (w.write.identity !== null) seen.add(w.write.identity);
    }
    if (current.length > 0) out.push(current);
  }
  return out;
}

function writeErrorsOf(err: unknown): WriteErrorLike[] | null {
  if (typeof err !== 'object' || err === null) return null;
  const we = (err as { writeErrors?: unknown }).writeErrors;
  if (Array.isArray(we)) return we as WriteErrorLike[];
  if (typeof we === 'object' && we !== null) return [we as WriteErrorLike];
  return (err as { name?: unknown }).name === 'MongoBulkWriteError' ? [] : null;
}

function hasWriteConcernError(err: unknown): boolean {
  const e = err as { writeConcernError?: unknown; result?: { hasWriteErrors?: unknown; getWriteConcernError?: () => unknown } } | null;
  if (e?.writeConcernError !== undefined && e.writeConcernError !== null) return true;
  return typeof e?.result?.getWriteConcernError === 'function' && e.result.getWriteConcernError() != null;
}
