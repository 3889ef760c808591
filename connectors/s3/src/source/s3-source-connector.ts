import {
  IllegalStateError,
  noopLogger,
  type ConfigSchema,
  type ConfigValidationResult,
  type ConnectorConfig,
  type ConnectorContext,
  type ConnectorPlugin,
  type ExactlyOnceSupport,
  type Logger,
  type SourceConnector,
  type TaskConfig,
} from '@sluice/core';
import { VERSION } from '../version.js';
import {
  parseSourceConfig,
  s3SourceConfigSchema,
  TASK_COUNT_KEY,
  TASK_INDEX_KEY,
  validateSourceConfig,
} from './s3-source-config.js';
import { S3SourceTask } from './s3-source-task.js';

/**
 * Reads objects from S3-compatible storage into topics: in RESTORE_BACKUP mode the S3 sink's
 * layout back to the original topics and partitions (losslessly with envelopes), in GENERIC mode
 * any objects under a prefix into one topic. `tasks.max` tasks share the object streams by a hash
 * of the stream, so each stream is read by exactly one task and in order. At least once: a record
 * whose offset was not yet committed is read again after a restart.
 */
export class S3SourceConnector implements SourceConnector {
  readonly type = 'source' as const;
  private logger: Logger = noopLogger;
  private config: ConnectorConfig | null = null;

  version(): string {
    return VERSION;
  }

  configSchema(): ConfigSchema {
    return s3SourceConfigSchema();
  }

  /** Cross-field rules (mode needs, format combinations). Never throws. */
  validate(config: ConnectorConfig): ConfigValidationResult {
    return validateSourceConfig(config);
  }

  initialize(context: ConnectorContext): void {
    this.logger = context.logger;
  }

  start(config: ConnectorConfig): void {
    const settings = parseSourceConfig(config);
    this.config = { ...config };
    this.logger.info('starting S3 source connector', {
      bucket: settings.connection.bucket,
      mode: settings.mode,
      prefix: settings.topicsDir,
    });
  }

  /** One config per task, each naming its share of the streams. */
  taskConfigs(maxTasks: number): TaskConfig[] {
    const config = this.config;
    if (config === null) throw new IllegalStateError('taskConfigs() before start()');
    const count = Math.max(1, maxTasks);
    return Array.from({ length: count }, (_, i) => ({
      ...config,
      [TASK_INDEX_KEY]: String(i),
      [TASK_COUNT_KEY]: String(count),
    }));
  }

  stop(): void {
    this.config = null;
  }

  createTask(): S3SourceTask {
    return new S3SourceTask();
  }

  /** Records are re-read after a crash (at least once); no transactions. */
  exactlyOnceSupport(): ExactlyOnceSupport {
    return 'UNSUPPORTED';
  }

  /** Offsets are only in the offsets store: any alteration is fine. */
  alterOffsets(): boolean {
    return true;
  }
}

/** Plugin entry for the S3 source, also under Confluent's class name so its configs run unchanged. */
export const s3SourcePlugin: ConnectorPlugin = Object.freeze({
  className: 'io.sluice.connect.s3.S3SourceConnector',
  aliases: Object.freeze(['S3Source', 'S3SourceConnector', 'io.confluent.connect.s3.source.S3SourceConnector']),
  type: 'source',
  version: VERSION,
  create: () => new S3SourceConnector(),
});
