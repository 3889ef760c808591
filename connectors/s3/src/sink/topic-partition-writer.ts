import { ConnectError, DataError, RetriableError, type Logger, type SinkRecord, type TopicPartition } from '@sluice/core';
import { createEncoder } from '../format/format-registry.js';
import type { FormatOptions, RecordEncoder } from '../format/record-format.js';
import type { Partitioner } from '../partitioner/partitioner.js';
import type { TimestampExtractor } from '../partitioner/timestamp-extractor.js';
import { fromLocalMs, toLocalMs } from '../partitioner/time-zone.js';
import type { ObjectStore, ObjectUpload } from '../storage/object-store.js';
import { objectKey } from './object-key.js';
import type { S3SinkSettings } from './s3-sink-config.js';

/** What a writer needs from its task. */
export interface WriterContext {
  readonly store: ObjectStore;
  readonly settings: S3SinkSettings;
  readonly partitioner: Partitioner;
  /** record time for `rotate.interval.ms`; null when that rotation is off */
  readonly recordTime: TimestampExtractor | null;
  readonly formatOptions: FormatOptions;
  readonly logger: Logger;
  readonly now: () => number;
  /** reports a record that cannot be written; null when the connector tolerates no errors */
  readonly report: ((record: SinkRecord, error: Error) => Promise<void>) | null;
  /** asks the runtime to deliver this partition again from `offset` */
  readonly rewind: (tp: TopicPartition, offset: number) => void;
}

interface OpenObject {
  readonly key: string;
  readonly upload: ObjectUpload;
  readonly encoder: RecordEncoder;
  readonly startOffset: number;
  endOffset: number;
  count: number;
}

/** Thrown inside `write` when the open objects could not be uploaded; carries the offset to replay from. */
class SegmentFailed extends Error {
  constructor(
    readonly replayFrom: number,
    readonly reason: unknown,
  ) {
    super('segment upload failed');
  }
}

/**
 * Writes the records of one topic partition into objects, Confluent's way, so that a replay from
 * the committed offset rebuilds exactly the same objects under exactly the same keys:
 *
 * - The open objects of a partition form a *segment*: one object per directory the partitioner
 *   chose, each named after the offset of its first record. A segment ends — all its objects are
 *   completed together — after `flush.size` records, when a record's time is `rotate.interval.ms`
 *   past the segment's first record, when a record's schema differs from its object's, or at a
 *   `rotate.schedule.interval.ms` boundary. Only the last depends on the wall clock.
 * - `committableOffset()` is the first offset of the open segment (or, with none open, the offset
 *   after the last record handled): everything before it is in complete objects or was reported.
 *   Segment boundaries are therefore commit points, and a replay from one starts a segment at the
 *   same record the first run did.
 * - If completing a segment fails (after the store's own retries), its objects are abandoned, the
 *   runtime is asked to deliver again from the segment's first offset, and `write` throws a
 *   RetriableError; records delivered after that point and before the rewind takes effect are
 *   dropped, as they will come again.
 *
 * Records arriving with an offset at or below the last one handled are duplicates and are skipped.
 * Not safe for concurrent calls; the task awaits each call.
 */
export class TopicPartitionWriter {
  readonly #objects = new Map<string, OpenObject>();
  #segmentStart: number | null = null;
  #segmentRecords = 0;
  #segmentBaseTime: number | null = null;
  #scheduledRotationAt: number | null = null;
  #lastHandled: number | null = null;
  #replayFrom: number | null = null;

  constructor(
    readonly tp: TopicPartition,
    private readonly ctx: WriterContext,
  ) {}

  /** Open objects (for memory accounting and tests). */
  get openObjects(): number {
    return this.#objects.size;
  }

  /**
   * Adds records of this partition, in offset order; completes segments as the rotation rules say.
   * Bad records go to the error reporter (or throw DataError without one). Throws RetriableError
   * when a segment could not be uploaded (see the class comment).
   */
  async write(records: readonly SinkRecord[]): Promise<void> {
    try {
      for (const record of records) await this.#writeOne(record);
    } catch (err) {
      if (!(err instanceof SegmentFailed)) throw err;
      await this.#failed(err);
      // A missing bucket or refused credentials do not heal by retrying: fail the task, naming the cause.
      const reason: unknown = err.reason;
      if (ConnectError.is(reason) && !reason.retriable && !RetriableError.is(reason)) {
        throw new ConnectError(
          `uploading objects for ${this.tp.topic}-${this.tp.partition} failed; nothing from offset ${err.replayFrom} on is committed: ${(reason as Error).message}`,
          { cause: reason, context: { topic: this.tp.topic, partition: this.tp.partition, offset: err.replayFrom } },
        );
      }
      throw new RetriableError(
        `uploading objects for ${this.tp.topic}-${this.tp.partition} failed; replaying from offset ${err.replayFrom}`,
        {
          cause: err.reason,
          context: { topic: this.tp.topic, partition: this.tp.partition, offset: err.replayFrom },
        },
      );
    }
  }

  /**
   * Completes the open segment if its `rotate.schedule.interval.ms` boundary has passed. A failed
   * upload does not throw here: the partition is rewound as in `write` and stays uncommitted.
   */
  async rotateIfScheduled(): Promise<void> {
    if (this.#scheduledRotationAt === null || this.ctx.now() < this.#scheduledRotationAt) return;
    try {
      await this.#rotate();
    } catch (err) {
      if (!(err instanceof SegmentFailed)) throw err;
      await this.#failed(err);
    }
  }

  /** The offset up to which (exclusive) records are durable or reported; null before any record. */
  committableOffset(): number | null {
    if (this.#replayFrom !== null) return this.#replayFrom;
    if (this.#segmentStart !== null) return this.#segmentStart;
    return this.#lastHandled === null ? null : this.#lastHandled + 1;
  }

  /** Abandons the open objects (a revoked partition or a stopping task): nothing partial becomes visible. */
  async close(): Promise<void> {
    const open = [...this.#objects.values()];
    this.#objects.clear();
    this.#resetSegment();
    await Promise.all(open.map((o) => o.upload.abort()));
  }

  async #writeOne(record: SinkRecord): Promise<void> {
    const offset = record.kafkaOffset;
    if (this.#replayFrom !== null) {
      if (offset > this.#replayFrom) return; // delivered before the rewind took effect; it will come again
      if (offset === this.#replayFrom) this.#replayFrom = null;
    }
    if (this.#lastHandled !== null && offset <= this.#lastHandled) return;
    const { settings } = this.ctx;
    const now = this.ctx.now();

    if (
      (record.value === null || record.value === undefined) &&
      !settings.envelope &&
      settings.nullValues !== 'write'
    ) {
      if (settings.nullValues === 'fail')
        await this.#reject(record, new DataError('record with a null value (behavior.on.null.values=fail)'));
      this.#lastHandled = offset;
      return;
    }
    if (this.#scheduledRotationAt !== null && now >= this.#scheduledRotationAt) await this.#rotate();

    let time: number | null = null;
    let directory: string;
    try {
      if (this.ctx.recordTime !== null) time = this.ctx.recordTime(record, now);
      directory = this.ctx.partitioner.encodePartition(record, now);
    } catch (err) {
      if (!DataError.is(err)) throw err;
      await this.#reject(record, err);
      this.#lastHandled = offset;
      return;
    }
    if (time !== null && this.#segmentBaseTime !== null && time - this.#segmentBaseTime >= settings.rotateIntervalMs)
      await this.#rotate();

    const objectId = `${record.topic}\u0000${directory}`;
    let object = this.#objects.get(objectId);
    if (object !== undefined && !object.encoder.fits(record)) {
      await this.#rotate();
      object = undefined;
    }
    const fresh = object === undefined;
    object ??= this.#open(objectId, record, directory);
    try {
      await object.encoder.append(record);
    } catch (err) {
      if (!DataError.is(err)) throw new SegmentFailed(this.#segmentStart ?? offset, err);
      if (fresh) {
        this.#objects.delete(objectId);
        await object.upload.abort();
      }
      await this.#reject(record, err);
      this.#lastHandled = offset;
      return;
    }
    object.count++;
    object.endOffset = offset;
    if (this.#segmentStart === null) {
      this.#segmentStart = offset;
      this.#segmentBaseTime = time;
      this.#scheduledRotationAt = this.#nextScheduledRotation(now);
    }
    this.#segmentRecords++;
    this.#lastHandled = offset;
    if (this.#segmentRecords >= settings.flushSize) await this.#rotate();
  }

  #open(objectId: string, record: SinkRecord, directory: string): OpenObject {
    const { settings, store, formatOptions } = this.ctx;
    const key = objectKey(settings.keyLayout, record.topic, directory, record.kafkaPartition, record.kafkaOffset);
    const upload = store.startUpload(key);
    const encoder = createEncoder(
      settings.format,
      settings.compression,
      settings.compressionLevel,
      { write: (chunk) => upload.write(chunk), end: async () => {} },
      formatOptions,
    );
    const object: OpenObject = {
      key,
      upload,
      encoder,
      startOffset: record.kafkaOffset,
      endOffset: record.kafkaOffset,
      count: 0,
    };
    this.#objects.set(objectId, object);
    return object;
  }

  /** Completes every open object of the segment; all or nothing as far as commits are concerned. */
  async #rotate(): Promise<void> {
    const objects = [...this.#objects.values()];
    const segmentStart = this.#segmentStart;
    this.#objects.clear();
    this.#resetSegment();
    if (objects.length === 0) return;
    const { settings, logger } = this.ctx;
    try {
      await Promise.all(
        objects.map(async (o) => {
          if (o.count === 0) return o.upload.abort();
          await o.encoder.finish();
          const tags = settings.offsetTags
            ? {
                ...settings.tags,
                startOffset: String(o.startOffset),
                endOffset: String(o.endOffset),
                recordCount: String(o.count),
              }
            : settings.tags;
          await o.upload.complete(tags);
        }),
      );
    } catch (err) {
      await Promise.all(objects.map((o) => o.upload.abort()));
      throw new SegmentFailed(segmentStart ?? Math.min(...objects.map((o) => o.startOffset)), err);
    }
    logger.debug('completed objects', {
      topic: this.tp.topic,
      partition: this.tp.partition,
      objects: objects.filter((o) => o.count > 0).map((o) => o.key),
    });
  }

  // Abandons the segment and asks for it again: see the class comment.
  async #failed(err: SegmentFailed): Promise<void> {
    await this.close();
    this.#replayFrom = err.replayFrom;
    this.#lastHandled = err.replayFrom - 1;
    this.ctx.rewind(this.tp, err.replayFrom);
    this.ctx.logger.warn(
      'could not upload objects; replaying the partition from the first record of the open objects',
      {
        topic: this.tp.topic,
        partition: this.tp.partition,
        offset: err.replayFrom,
        error: err.reason instanceof Error ? err.reason.message : String(err.reason),
      },
    );
  }

  #resetSegment(): void {
    this.#segmentStart = null;
    this.#segmentRecords = 0;
    this.#segmentBaseTime = null;
    this.#scheduledRotationAt = null;
  }

  #nextScheduledRotation(now: number): number | null {
    const interval = this.ctx.settings.rotateScheduleIntervalMs;
    if (interval <= 0) return null;
    const zone = this.ctx.settings.partitioner.timezone;
    return fromLocalMs(zone, (Math.floor(toLocalMs(zone, now) / interval) + 1) * interval);
  }

  async #reject(record: SinkRecord, error: Error): Promise<void> {
    if (this.ctx.report === null) throw error;
    this.ctx.logger.debug('reporting a record that cannot be written', {
      topic: record.topic,
      partition: record.kafkaPartition,
      offset: record.kafkaOffset,
      error: error.message,
    });
    await this.ctx.report(record, error);
  }
}
