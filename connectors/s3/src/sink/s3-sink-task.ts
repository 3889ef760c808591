import {
  IllegalStateError,
  noopLogger,
  tpKey,
  type Logger,
  type SinkOffsets,
  type SinkRecord,
  type SinkTask,
  type SinkTaskContext,
  type TaskConfig,
  type TopicPartition,
} from '@sluice/core';
import { ConnectJson } from '../format/connect-json.js';
import { createPartitioner } from '../partitioner/partitioner.js';
import { timestampExtractor } from '../partitioner/timestamp-extractor.js';
import type { ObjectStore } from '../storage/object-store.js';
import { createS3Client } from '../storage/s3-client.js';
import { S3ObjectStore } from '../storage/s3-object-store.js';
import { VERSION } from '../version.js';
import { parseSinkConfig, type S3SinkSettings } from './s3-sink-config.js';
import { TopicPartitionWriter, type WriterContext } from './topic-partition-writer.js';

/** Test seams; the runtime uses the defaults. */
export interface S3SinkTaskOptions {
  /** Replaces the S3 store built from the config (unit tests use an in-memory one). */
  readonly store?: (settings: S3SinkSettings, logger: Logger) => ObjectStore;
  /** Wall clock in epoch ms. Default `Date.now`. */
  readonly now?: () => number;
}

/**
 * Writes records into S3 objects, one `TopicPartitionWriter` per assigned partition. `put` may
 * upload (when objects rotate) and so may take as long as an upload; partitions are written in
 * parallel. `preCommit` completes objects whose scheduled rotation is due and returns, per
 * partition, only offsets of records that are in complete objects (or were reported as bad), so
 * the runtime never commits past what is durable in S3. `close` and `stop` abandon open objects:
 * their records were not committed and will be delivered again.
 */
export class S3SinkTask implements SinkTask {
  private logger: Logger = noopLogger;
  private context: SinkTaskContext | null = null;
  private writerContext: WriterContext | null = null;
  private readonly writers = new Map<string, TopicPartitionWriter>();
  private stopping: Promise<void> | null = null;

  constructor(private readonly options: S3SinkTaskOptions = {}) {}

  version(): string {
    return VERSION;
  }

  initialize(context: SinkTaskContext): void {
    this.context = context;
    this.logger = context.logger;
  }

  start(config: TaskConfig): void {
    const settings = parseSinkConfig(config);
    const store =
      this.options.store?.(settings, this.logger) ??
      new S3ObjectStore(
        createS3Client(settings.connection, this.logger),
        settings.connection.bucket,
        this.logger,
        settings.objectWrite,
      );
    const context = this.context;
    const reporter = context?.errantRecordReporter ?? null;
    this.writerContext = {
      store,
      settings,
      partitioner: createPartitioner(settings.partitioner),
      recordTime:
        settings.rotateIntervalMs > 0
          ? timestampExtractor(settings.partitioner.timestampExtractor, settings.partitioner.timestampField)
          : null,
      formatOptions: {
        envelope: settings.envelope,
        json: new ConnectJson(settings.decimalFormat),
        bytesSeparator: settings.bytesSeparator,
        parquetCodec: settings.parquetCodec,
        parquetRowGroupRecords: settings.parquetRowGroupRecords,
      },
      logger: this.logger,
      now: this.options.now ?? Date.now,
      report: reporter,
      rewind: (tp, offset) => context?.offset(tp, offset),
    };
    this.logger.info('S3 sink task started', {
      bucket: settings.connection.bucket,
      format: settings.format,
      partitioner: settings.partitioner.name,
      flushSize: settings.flushSize,
    });
  }

  open(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) this.writerFor(tp);
  }

  /** Hands each partition's records to its writer; see `TopicPartitionWriter.write` for failures. */
  async put(records: readonly SinkRecord[]): Promise<void> {
    this.requireStarted('put');
    const byPartition = new Map<string, { tp: TopicPartition; records: SinkRecord[] }>();
    for (const r of records) {
      const tp = { topic: r.originalTopic, partition: r.originalKafkaPartition };
      const key = tpKey(tp);
      let group = byPartition.get(key);
      if (group === undefined) byPartition.set(key, (group = { tp, records: [] }));
      group.records.push(r);
    }
    const results = await Promise.allSettled(
      [...byPartition.values()].map((g) => this.writerFor(g.tp).write(g.records)),
    );
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure !== undefined) throw failure.reason;
  }

  /** Everything is made durable by rotation; see `preCommit`. */
  async flush(_offsets: SinkOffsets): Promise<void> {
    await Promise.all([...this.writers.values()].map((w) => w.rotateIfScheduled()));
  }

  /** Offsets of records in complete objects only, never more than offered. */
  async preCommit(offsets: SinkOffsets): Promise<SinkOffsets> {
    await this.flush(offsets);
    const safe: SinkOffsets = new Map();
    for (const [key, { tp, offset }] of offsets) {
      const writer = this.writers.get(key);
      if (writer === undefined) {
        // nothing of this partition was delivered to this task: nothing is pending
        safe.set(key, { tp, offset });
        continue;
      }
      const committable = writer.committableOffset();
      if (committable !== null) safe.set(key, { tp, offset: Math.min(committable, offset) });
    }
    return safe;
  }

  /** Abandons the open objects of revoked partitions. */
  async close(partitions: readonly TopicPartition[]): Promise<void> {
    await Promise.all(
      partitions.map(async (tp) => {
        const writer = this.writers.get(tpKey(tp));
        this.writers.delete(tpKey(tp));
        await writer?.close();
      }),
    );
  }

  /** Abandons every open object and releases the client. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const writers = [...this.writers.values()];
      this.writers.clear();
      await Promise.allSettled(writers.map((w) => w.close()));
      this.writerContext?.store.close();
      this.writerContext = null;
    })();
    return this.stopping;
  }

  private writerFor(tp: TopicPartition): TopicPartitionWriter {
    const ctx = this.requireStarted('open');
    const key = tpKey(tp);
    let writer = this.writers.get(key);
    if (writer === undefined)
      this.writers.set(key, (writer = new TopicPartitionWriter({ topic: tp.topic, partition: tp.partition }, ctx)));
    return writer;
  }

  private requireStarted(op: string): WriterContext {
    if (this.writerContext === null)
      throw new IllegalStateError(`${op}() on an S3 sink task that is not started or already stopped`);
    return this.writerContext;
  }
}
