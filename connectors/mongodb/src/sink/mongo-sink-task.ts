import {
  ConnectError,
  DataError,
  IllegalStateError,
  noopLogger,
  type Logger,
  type SinkOffsets,
  type SinkRecord,
  type SinkTask,
  type SinkTaskContext,
  type TaskConfig,
} from '@sluice/core';
import { errorMessage, redactUri } from '../connection/mongo-connection.js';
import { VERSION } from '../version.js';
import { BulkWriter, type BoundWrite } from './bulk-writer.js';
import { parseSinkConfig, type MongoSinkSettings } from './mongo-sink-config.js';
import { driverSinkPort, type MongoSinkPort, type MongoSinkPortFactory } from './mongo-sink-port.js';
import { namespaceFor } from './namespace-mapper.js';
import { toSinkDocument } from './sink-document.js';
import { planWrite } from './write-model.js';

/** Test seams; the runtime uses the defaults. */
export interface MongoSinkTaskOptions {
  readonly portFactory?: MongoSinkPortFactory;
  /** How retry and rate-limit pauses wait. Default: a timer. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Writes records to MongoDB. `put` converts each record to a write (per `writemodel.strategy`,
 * `document.id.strategy`, `delete.on.null.values` or a CDC handler) and resolves only once the bulk
 * writes are acknowledged, so every offset `preCommit` returns is durable. Records that cannot be
 * converted or that the server rejects go to the errant-record reporter; without one (errors
 * tolerance `none`) the task fails naming the record's coordinates (never its payload).
 */
export class MongoSinkTask implements SinkTask {
  private logger: Logger = noopLogger;
  private context: SinkTaskContext | null = null;
  private settings: MongoSinkSettings | null = null;
  private port: MongoSinkPort | null = null;
  private writer: BulkWriter | null = null;
  private stopping: Promise<void> | null = null;

  constructor(private readonly options: MongoSinkTaskOptions = {}) {}

  version(): string {
    return VERSION;
  }

  initialize(context: SinkTaskContext): void {
    this.context = context;
    this.logger = context.logger;
  }

  /** Parses the config and connects. Throws ConfigValidationError, or RetriableError when MongoDB is unreachable. */
  async start(config: TaskConfig): Promise<void> {
    const settings = parseSinkConfig(config);
    this.settings = settings;
    const appName = `sluice-${this.context?.connectorName ?? 'mongo-sink'}-${this.context?.taskId ?? 0}`;
    this.port = await (this.options.portFactory ?? driverSinkPort)(settings.connectionUri, appName);
    this.writer = new BulkWriter(this.port, this.options.sleep);
    this.logger.info('MongoDB sink task started', { hosts: redactUri(settings.connectionUri), database: settings.base.database });
  }

  async put(records: readonly SinkRecord[]): Promise<void> {
    const settings = this.settings;
    const writer = this.writer;
    if (settings === null || writer === null) throw new IllegalStateError('put() on a task that is not started or already stopped');
    const bound: BoundWrite[] = [];
    const bad: { record: SinkRecord; error: Error }[] = [];
    for (const record of records) {
      try {
        const topicSettings = settings.forTopic(record.topic);
        const doc = toSinkDocument(record);
        const write = planWrite(record, doc, topicSettings);
        if (write === null) {
          this.logger.debug('skipping record that needs no write', { topic: record.topic, partition: record.kafkaPartition, offset: record.kafkaOffset });
          continue;
        }
        bound.push({ record, write, ns: namespaceFor(record, doc, topicSettings), settings: topicSettings });
      } catch (err) {
        if (!DataError.is(err)) throw err;
        bad.push({ record, error: err });
      }
    }
    const failed = await writer.write(bound);
    await this.report([...bad, ...failed]);
  }

  /** Writes are acknowledged inside `put`; nothing is buffered. */
  flush(_offsets: SinkOffsets): void {}

  /** Everything delivered has been written by the time `put` resolved: all offsets are safe. */
  preCommit(offsets: SinkOffsets): SinkOffsets {
    return offsets;
  }

  /** Closes the connection. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const port = this.port;
      this.port = null;
      this.writer = null;
      try {
        await port?.close();
      } catch (err) {
        this.logger.warn('error while closing the MongoDB connection', { error: errorMessage(err) });
      }
    })();
    return this.stopping;
  }

  private async report(failures: readonly { record: SinkRecord; error: Error }[]): Promise<void> {
    if (failures.length === 0) return;
    const reporter = this.context?.errantRecordReporter ?? null;
    if (reporter === null) {
      const first = failures[0] as { record: SinkRecord; error: Error };
      throw new ConnectError(
        `${failures.length} record(s) could not be written to MongoDB; first: ${first.record.topic}-${first.record.kafkaPartition}@${first.record.kafkaOffset}: ${first.error.message}`,
        { cause: first.error, context: { topic: first.record.topic, partition: first.record.kafkaPartition, offset: first.record.kafkaOffset } },
      );
    }
    for (const { record, error } of failures) {
      this.logger.warn('reporting a record MongoDB could not take', { topic: record.topic, partition: record.kafkaPartition, offset: record.kafkaOffset, error: error.message });
      await reporter(record, error);
    }
  }
}
