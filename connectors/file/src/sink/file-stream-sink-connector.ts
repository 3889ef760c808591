import {
  IllegalStateError,
  noopLogger,
  type ConfigSchema,
  type ConnectorConfig,
  type ConnectorContext,
  type ConnectorPlugin,
  type Logger,
  type SinkConnector,
  type TaskConfig,
} from '@sluice/core';
import { fileStreamSinkConfigSchema, parseSinkConfig } from './file-stream-sink-config.js';
import { FileStreamSinkTask } from './file-stream-sink-task.js';
import { VERSION } from '../version.js';

/**
 * Appends record values from `topics` / `topics.regex` to one file (or standard output), like Kafka
 * Connect's FileStreamSinkConnector, with the same config keys. As there, every task gets the same
 * config and appends to the same file; each batch is one append, so lines never interleave mid-line.
 */
export class FileStreamSinkConnector implements SinkConnector {
  readonly type = 'sink' as const;
  private logger: Logger = noopLogger;
  private config: ConnectorConfig | null = null;

  version(): string {
    return VERSION;
  }

  configSchema(): ConfigSchema {
    return fileStreamSinkConfigSchema();
  }

  initialize(context: ConnectorContext): void {
    this.logger = context.logger;
  }

  start(config: ConnectorConfig): void {
    const { file } = parseSinkConfig(config);
    this.config = { ...config };
    this.logger.info('starting file sink connector', { file: file ?? 'standard output' });
  }

  taskConfigs(maxTasks: number): TaskConfig[] {
    const config = this.config;
    if (config === null) throw new IllegalStateError('taskConfigs() before start()');
    return Array.from({ length: Math.max(1, maxTasks) }, () => ({ ...config }));
  }

  stop(): void {
    this.config = null;
  }

  createTask(): FileStreamSinkTask {
    return new FileStreamSinkTask();
  }

  /** Offsets live only in the consumer group; any value the runtime accepts is fine. */
  alterOffsets(): boolean {
    return true;
  }
}

/** Plugin entry for the FileStream sink under Kafka Connect's class name and aliases. */
export const fileStreamSinkPlugin: ConnectorPlugin = Object.freeze({
  className: 'org.apache.kafka.connect.file.FileStreamSinkConnector',
  aliases: Object.freeze(['FileStreamSink', 'FileStreamSinkConnector']),
  type: 'sink',
  version: VERSION,
  create: () => new FileStreamSinkConnector(),
});
