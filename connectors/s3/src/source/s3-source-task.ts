import {
  ConnectError,
  DataError,
  IllegalStateError,
  noopLogger,
  NotFoundError,
  RetriableError,
  sourceRecord,
  type Logger,
  type SourcePartition,
  type SourceRecord,
  type SourceTask,
  type SourceTaskContext,
  type TaskConfig,
} from '@sluice/core';
import { ConnectJson } from '../format/connect-json.js';
import type { DecodedRecord, FormatOptions } from '../format/record-format.js';
import { recordCursor, type RecordCursor } from '../format/record-stream.js';
import type { ObjectStore } from '../storage/object-store.js';
import { createS3Client } from '../storage/s3-client.js';
import { S3ObjectStore } from '../storage/s3-object-store.js';
import { VERSION } from '../version.js';
import {
  describeObject,
  offsetPosition,
  pendingObjects,
  positionOffset,
  streamTask,
  type PendingObject,
  type StreamLayout,
  type StreamObject,
  type StreamPosition,
} from './object-streams.js';
import { parseSourceConfig, TASK_COUNT_KEY, TASK_INDEX_KEY, type S3SourceSettings } from './s3-source-config.js';

/** Test seams and tuning; the runtime uses the defaults. */
export interface S3SourceTaskOptions {
  /** Replaces the S3 store built from the config. */
  readonly store?: (settings: S3SourceSettings, logger: Logger) => ObjectStore;
  /** Longest a poll waits when there is nothing to read. Default 1000. */
  readonly maxPollWaitMs?: number;
}

interface Current {
  readonly object: StreamObject;
  /** the object's records as they are read */
  readonly cursor: RecordCursor;
  /** records of the object emitted so far */
  next: number;
}

/**
 * Reads objects under `topics.dir`, stream by stream (see `object-streams.ts`), and turns their
 * records into source records. Source partition `{bucket, stream}`; offset `{object, records,
 * done}`: the object being read and how many of its records were emitted, so a restart resumes
 * in the middle of an object. Lists the bucket again every `s3.poll.interval.ms` once everything
 * known is read. Each task reads the streams `streamTask` assigns it.
 *
 * RESTORE_BACKUP: each record goes to the topic and partition its envelope (or, without one, its
 * object name) gives, with the envelope's key, headers and timestamp. GENERIC: every record goes
 * to `topic` with a null key, letting the producer choose the partition.
 *
 * Objects are read one at a time as their bytes arrive (Parquet whole, as it needs its footer), so
 * memory holds a batch, not an object. A malformed object fails the task (DataError naming the key)
 * rather than being skipped; a read that fails midway is retried from the last record emitted.
 */
export class S3SourceTask implements SourceTask {
  private logger: Logger = noopLogger;
  private context: SourceTaskContext | null = null;
  private settings: S3SourceSettings | null = null;
  private store: ObjectStore | null = null;
  private formatOptions: FormatOptions | null = null;
  private layout: StreamLayout = { directoryDelim: '/', fileDelim: '+', sinkNamesOnly: true };
  private taskIndex = 0;
  private taskCount = 1;
  private readonly positions = new Map<string, StreamPosition | null>();
  private queue: PendingObject[] = [];
  private current: Current | null = null;
  private nextListingAt = 0;
  private stopping: Promise<void> | null = null;

  constructor(private readonly options: S3SourceTaskOptions = {}) {}

  version(): string {
    return VERSION;
  }

  initialize(context: SourceTaskContext): void {
    this.context = context;
    this.logger = context.logger;
  }

  start(config: TaskConfig): void {
    const settings = parseSourceConfig(config);
    this.settings = settings;
    this.taskIndex = Number(config[TASK_INDEX_KEY] ?? 0);
    this.taskCount = Number(config[TASK_COUNT_KEY] ?? 1);
    if (
      !Number.isInteger(this.taskIndex) ||
      !Number.isInteger(this.taskCount) ||
      this.taskIndex < 0 ||
      this.taskIndex >= this.taskCount
    ) {
      throw new IllegalStateError(`invalid task assignment ${this.taskIndex} of ${this.taskCount}`);
    }
    this.layout = {
      directoryDelim: settings.directoryDelim,
      fileDelim: settings.fileDelim,
      sinkNamesOnly: settings.mode === 'RESTORE_BACKUP',
    };
    this.formatOptions = {
      envelope: settings.envelope,
      json: new ConnectJson('BASE64'),
      bytesSeparator: settings.bytesSeparator,
      parquetCodec: 'none',
      parquetRowGroupRecords: 1,
    };
    this.store =
      this.options.store?.(settings, this.logger) ??
      new S3ObjectStore(createS3Client(settings.connection, this.logger), settings.connection.bucket, this.logger, {
        partSizeBytes: 5 * 1024 * 1024,
        ...(settings.customerKey === null ? {} : { customerKey: settings.customerKey }),
      });
    this.logger.info('S3 source task started', {
      bucket: settings.connection.bucket,
      prefix: settings.topicsDir,
      mode: settings.mode,
      format: settings.format,
      task: `${this.taskIndex + 1}/${this.taskCount}`,
    });
  }

  /**
   * Returns up to `record.batch.max.size` records, reading the next object when the current one is
   * done and listing the bucket when the interval is due; otherwise waits up to a second and returns
   * null. Returns promptly when `signal` aborts. S3 failures that outlasted the retries are thrown as
   * retriable ConnectErrors, so the runtime polls again later.
   */
  async poll(signal: AbortSignal): Promise<SourceRecord[] | null> {
    const settings = this.settings;
    if (settings === null) throw new IllegalStateError('poll() before start()');
    try {
      // Bounded: each turn either consumes a queued object or lists, and listing is rate-limited.
      while (!signal.aborted) {
        const batch = await this.emit(settings);
        if (batch.length > 0) return batch;
        if (await this.openNext(signal)) continue;
        if (Date.now() < this.nextListingAt) break;
        await this.list(settings, signal);
        if (this.queue.length === 0) break;
      }
      if (!signal.aborted)
        await abortableDelay(
          Math.min(this.options.maxPollWaitMs ?? 1000, Math.max(0, this.nextListingAt - Date.now())),
          signal,
        );
      return null;
    } catch (err) {
      if (signal.aborted || this.stopping !== null) return null;
      throw err;
    }
  }

  /** Releases the client. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.store?.close();
      this.store = null;
    })();
    return this.stopping;
  }

  private async emit(settings: S3SourceSettings): Promise<SourceRecord[]> {
    const current = this.current;
    if (current === null) return [];
    const decoded = await this.readRecords(current, settings.batchMaxRecords);
    const partition: SourcePartition = { bucket: settings.connection.bucket, stream: current.object.stream };
    const done = current.cursor.done;
    const out = decoded.map((d, i) => {
      const position: StreamPosition = {
        object: current.object.key,
        records: current.next + i + 1,
        done: done && i === decoded.length - 1,
      };
      return this.toSourceRecord(settings, current.object, d, partition, position);
    });
    current.next += decoded.length;
    if (decoded.length > 0)
      this.positions.set(current.object.stream, { object: current.object.key, records: current.next, done });
    if (done) this.current = null;
    return out;
  }

  /**
   * The next records of the current object. A failed read puts the object back at the head of the
   * queue, to continue after the records already emitted; malformed data fails with the key named.
   */
  private async readRecords(current: Current, max: number): Promise<DecodedRecord[]> {
    try {
      return await current.cursor.take(max);
    } catch (err) {
      return this.failRead(current, current.next, err);
    }
  }

  /** Drops what the current read holds, queues the object again to resume at `resumeAt`, and throws. */
  private async failRead(current: Current, resumeAt: number, err: unknown): Promise<never> {
    this.current = null;
    await current.cursor.close().catch(() => undefined);
    this.queue.unshift({ object: current.object, skip: resumeAt });
    const key = current.object.key;
    if (DataError.is(err)) throw new DataError(`cannot read s3 object ${key}: ${err.message}`, { cause: err, context: { key } });
    if (ConnectError.is(err)) throw err;
    throw new RetriableError(`reading s3 object ${key} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }

  private toSourceRecord(
    settings: S3SourceSettings,
    object: StreamObject,
    d: DecodedRecord,
    partition: SourcePartition,
    position: StreamPosition,
  ): SourceRecord {
    const common = {
      sourcePartition: partition,
      sourceOffset: positionOffset(position),
      valueSchema: d.valueSchema,
      value: d.value,
    };
    if (settings.mode === 'GENERIC') return sourceRecord({ ...common, topic: settings.topic as string });
    const topic = d.topic ?? object.fileName?.topic;
    const kafkaPartition = d.partition ?? object.fileName?.partition ?? null;
    if (topic === undefined) throw new DataError(`cannot tell which topic the records of ${object.key} came from`);
    return sourceRecord({
      ...common,
      topic,
      kafkaPartition,
      keySchema: d.keySchema,
      key: d.key,
      timestamp: d.timestamp,
      headers: d.headers,
    });
  }

  /** Reads the next pending object; false when there is none. */
  private async openNext(signal: AbortSignal): Promise<boolean> {
    const store = this.requireStore();
    const pending = this.queue.shift();
    if (pending === undefined) return false;
    const { object, skip } = pending;
    const settings = this.settings as S3SourceSettings;
    const open = async (): Promise<RecordCursor | null> => {
      try {
        return recordCursor(settings.format, await store.readStream(object.key, signal), this.formatOptions as FormatOptions);
      } catch (err) {
        if (!NotFoundError.is(err)) throw err;
        // deleted between listing and reading: nothing to emit, and nothing to remember
        this.logger.warn('object disappeared before it was read; skipping it', { key: object.key });
        return null;
      }
    };
    let cursor = await open();
    if (cursor === null) return true;
    let current: Current = { object, cursor, next: 0 };
    if (skip > 0) {
      const skipped = await this.skipRecords(current, skip);
      if (skipped < skip) {
        this.logger.warn(
          'object has fewer records than the committed position; it was rewritten, reading it from its start',
          { key: object.key, skip, records: skipped },
        );
        await cursor.close();
        cursor = await open();
        if (cursor === null) return true;
        current = { object, cursor, next: 0 };
      } else current.next = skip;
    }
    this.current = current;
    // an object with nothing (more) to read is done at once
    await this.readRecords(current, 0);
    if (cursor.done) {
      this.current = null;
      this.positions.set(object.stream, { object: object.key, records: current.next, done: true });
    }
    this.logger.debug('reading object', { key: object.key, from: current.next });
    return true;
  }

  /** Skips the records a committed position covers; a failure is handled like any read failure. */
  private async skipRecords(current: Current, count: number): Promise<number> {
    try {
      return await current.cursor.skip(count);
    } catch (err) {
      return this.failRead(current, count, err);
    }
  }

  /** Lists the prefix and queues the assigned objects not yet read. */
  private async list(settings: S3SourceSettings, signal: AbortSignal): Promise<void> {
    const store = this.requireStore();
    const prefix = settings.topicsDir === '' ? '' : `${settings.topicsDir}${settings.directoryDelim}`;
    const objects: StreamObject[] = [];
    try {
      for await (const info of store.list(prefix, signal)) {
        const o = describeObject(info.key, this.layout);
        if (o !== null && streamTask(o.stream, this.taskCount) === this.taskIndex) objects.push(o);
      }
    } finally {
      this.nextListingAt = Date.now() + settings.pollIntervalMs;
    }
    await this.loadPositions(settings, objects);
    // the object being read stays current; it must not be queued a second time
    const reading = this.current?.object.key;
    this.queue = pendingObjects(objects, this.positions, this.layout).filter((p) => p.object.key !== reading);
    if (this.queue.length > 0) this.logger.debug('found objects to read', { objects: this.queue.length });
  }

  private async loadPositions(settings: S3SourceSettings, objects: readonly StreamObject[]): Promise<void> {
    const unknown = [...new Set(objects.map((o) => o.stream))].filter((s) => !this.positions.has(s));
    if (unknown.length === 0) return;
    const reader = this.context?.offsetStorageReader;
    const partitions = unknown.map((stream) => ({ bucket: settings.connection.bucket, stream }));
    const stored = reader === undefined ? new Map() : await reader.offsets(partitions);
    partitions.forEach((p) => {
      const position = offsetPosition(stored.get(p) ?? null);
      this.positions.set(p.stream, position);
    });
  }

  private requireStore(): ObjectStore {
    if (this.store === null) throw new ConnectError('the S3 source task is stopped');
    return this.store;
  }
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
