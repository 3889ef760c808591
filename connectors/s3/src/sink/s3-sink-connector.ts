import {
  IllegalStateError,
  noopLogger,
  type ConfigSchema,
  type ConfigValidationResult,
  type ConnectorConfig,
  type ConnectorContext,
  type ConnectorPlugin,
  type Logger,
  type SinkConnector,
  type TaskConfig,
} from '@sluice/core';
import { createPartitioner } from '../partitioner/partitioner.js';
import { VERSION } from '../version.js';
import { parseSinkConfig, s3SinkConfigSchema, validateSinkConfig } from './s3-sink-config.js';
import { S3SinkTask } from './s3-sink-task.js';

/**
 * Lands topic data in S3-compatible object storage in the layout data lakes expect, with
 * Confluent's S3 sink config keys, object names and rotation rules.
 *
 * Exactly-once results: object keys are `<topic>+<partition>+<first offset>`, objects become
 * visible only complete, and offsets are committed only for records in complete objects, so a
 * restart replays from a segment boundary and rewrites the same objects under the same keys. This
 * holds when the layout is a function of the records: partitioner `default` or `field`, or a time
 * partitioner with `timestamp.extractor` `Record`/`RecordField`; rotation by `flush.size`,
 * `rotate.interval.ms` with a `Record`/`RecordField` extractor, and schema changes. `Wallclock`
 * extraction and `rotate.schedule.interval.ms` depend on when records are processed, so after a
 * crash they can split records differently: nothing is lost, but records may appear twice. Every
 * task gets the same config; the runtime spreads partitions over them.
 */
export class S3SinkConnector implements SinkConnector {
  readonly type = 'sink' as const;
  private logger: Logger = noopLogger;
  private config: ConnectorConfig | null = null;

  version(): string {
    return VERSION;
  }

  configSchema(): ConfigSchema {
    return s3SinkConfigSchema();
  }

  /** Cross-field rules (partitioner needs, format combinations, time zone, tags). Never throws. */
  validate(config: ConnectorConfig): ConfigValidationResult {
    return validateSinkConfig(config);
  }

  initialize(context: ConnectorContext): void {
    this.logger = context.logger;
  }

  start(config: ConnectorConfig): void {
    const settings = parseSinkConfig(config);
    this.config = { ...config };
    const deterministic =
      createPartitioner(settings.partitioner).deterministic &&
      settings.rotateScheduleIntervalMs <= 0 &&
      !(settings.rotateIntervalMs > 0 && settings.partitioner.timestampExtractor === 'Wallclock');
    if (!deterministic) {
      this.logger.warn(
        'this layout depends on the wall clock: after a restart, replayed records may land in different objects (duplicates possible)',
        {
          partitioner: settings.partitioner.name,
          timestampExtractor: settings.partitioner.timestampExtractor,
          rotateScheduleIntervalMs: settings.rotateScheduleIntervalMs,
        },
      );
    }
    this.logger.info('starting S3 sink connector', {
      bucket: settings.connection.bucket,
      format: settings.format,
      exactlyOnce: deterministic,
    });
  }

  taskConfigs(maxTasks: number): TaskConfig[] {
    const config = this.config;
    if (config === null) throw new IllegalStateError('taskConfigs() before start()');
    return Array.from({ length: Math.max(1, maxTasks) }, () => ({ ...config }));
  }

  stop(): void {
    this.config = null;
  }

  createTask(): S3SinkTask {
    return new S3SinkTask();
  }

  /** Offsets live only in the consumer group; any reset is fine (objects are keyed by offset). */
  alterOffsets(): boolean {
    return true;
  }
}

/** Plugin entry for the S3 sink, also under Confluent's class name so its configs run unchanged. */
export const s3SinkPlugin: ConnectorPlugin = Object.freeze({
  className: 'io.sluice.connect.s3.S3SinkConnector',
  aliases: Object.freeze(['S3Sink', 'S3SinkConnector', 'io.confluent.connect.s3.S3SinkConnector']),
  type: 'sink',
  version: VERSION,
  create: () => new S3SinkConnector(),
});
