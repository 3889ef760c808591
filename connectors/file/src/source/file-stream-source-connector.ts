import {
  DataError,
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
  type SourceOffset,
  type SourcePartition,
  type TaskConfig,
} from '@sluice/core';
import { decodeOffset } from './file-offset.js';
import { fileStreamSourceConfigSchema, parseSourceConfig, singleTopicErrors } from './file-stream-source-config.js';
import { FileStreamSourceTask } from './file-stream-source-task.js';
import { VERSION } from '../version.js';

/**
 * Reads one file (or standard input) line by line into one topic, like Kafka Connect's
 * FileStreamSourceConnector, with the same config keys. Always one task: a file has one reader.
 */
export class FileStreamSourceConnector implements SourceConnector {
  readonly type = 'source' as const;
  private logger: Logger = noopLogger;
  private config: ConnectorConfig | null = null;

  version(): string {
    return VERSION;
  }

  configSchema(): ConfigSchema {
    return fileStreamSourceConfigSchema();
  }

  /** Adds the single-topic rule the schema cannot express. Never throws. */
  validate(config: ConnectorConfig): ConfigValidationResult {
    const errors = singleTopicErrors(config);
    if (errors.length === 0) return { configs: [] };
    return {
      configs: [{ name: 'topic', value: config['topic'] ?? null, recommendedValues: [], errors, visible: true }],
    };
  }

  initialize(context: ConnectorContext): void {
    this.logger = context.logger;
  }

  start(config: ConnectorConfig): void {
    const settings = parseSourceConfig(config);
    this.config = { ...config };
    this.logger.info('starting file source connector', {
      file: settings.file ?? 'standard input',
      topic: settings.topic,
    });
  }

  taskConfigs(_maxTasks: number): TaskConfig[] {
    if (this.config === null) throw new IllegalStateError('taskConfigs() before start()');
    return [{ ...this.config }];
  }

  stop(): void {
    this.config = null;
  }

  createTask(): FileStreamSourceTask {
    return new FileStreamSourceTask();
  }

  /** Exactly-once works for a real file (its offsets can be replayed), not for standard input. */
  exactlyOnceSupport(config: ConnectorConfig): ExactlyOnceSupport {
    const file = config['file'];
    return file !== undefined && file !== '' ? 'SUPPORTED' : 'UNSUPPORTED';
  }

  /**
   * Checks offsets written through the REST API: partitions must be `{filename}` and offsets must
   * decode (at least a non-negative integer `position`; identity fields optional). Throws DataError
   * otherwise. Nothing is kept outside the offsets store, so there is nothing else to alter.
   */
  alterOffsets(_config: ConnectorConfig, offsets: ReadonlyMap<SourcePartition, SourceOffset | null>): boolean {
    for (const [partition, offset] of offsets) {
      if (typeof partition['filename'] !== 'string' || partition['filename'] === '') {
        throw new DataError(`file source partitions need a "filename" key, got ${JSON.stringify(partition)}`);
      }
      if (offset !== null) decodeOffset(offset);
    }
    return true;
  }
}

/** Plugin entry for the FileStream source under Kafka Connect's class name and aliases. */
export const fileStreamSourcePlugin: ConnectorPlugin = Object.freeze({
  className: 'org.apache.kafka.connect.file.FileStreamSourceConnector',
  aliases: Object.freeze(['FileStreamSource', 'FileStreamSourceConnector']),
  type: 'source',
  version: VERSION,
  create: () => new FileStreamSourceConnector(),
});
