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
import { redactUri } from '../connection/mongo-connection.js';
import { VERSION } from '../version.js';
import { mongoSinkConfigSchema, parseSinkConfig, validateSinkConfig } from './mongo-sink-config.js';
import { MongoSinkTask, type MongoSinkTaskOptions } from './mongo-sink-task.js';

/**
 * MongoDB sink (`MongoSink`), configured with the official MongoDB Kafka sink connector's keys.
 * Every task gets the same config; the runtime spreads topic partitions over them. `start` only
 * validates; tasks connect.
 */
export class MongoSinkConnector implements SinkConnector {
  readonly type = 'sink' as const;
  private logger: Logger = noopLogger;
  private config: ConnectorConfig | null = null;

  constructor(private readonly taskOptions: MongoSinkTaskOptions = {}) {}

  version(): string {
    return VERSION;
  }

  configSchema(): ConfigSchema {
    return mongoSinkConfigSchema();
  }

  /** Strategy combinations, topic overrides, URI shape. Never throws. */
  validate(config: ConnectorConfig): ConfigValidationResult {
    return validateSinkConfig(config);
  }

  initialize(context: ConnectorContext): void {
    this.logger = context.logger;
  }

  start(config: ConnectorConfig): void {
    const settings = parseSinkConfig(config);
    this.config = { ...config };
    this.logger.info('starting MongoDB sink connector', { hosts: redactUri(settings.connectionUri), database: settings.base.database });
  }

  taskConfigs(maxTasks: number): TaskConfig[] {
    if (this.config === null) throw new IllegalStateError('taskConfigs() before start()');
    return Array.from({ length: Math.max(1, maxTasks) }, () => ({ ...(this.config as ConnectorConfig) }));
  }

  stop(): void {
    this.config = null;
  }

  createTask(): MongoSinkTask {
    return new MongoSinkTask(this.taskOptions);
  }
}

/** Plugin entry for the MongoDB sink, also under the official connector's class name. */
export const mongoSinkPlugin: ConnectorPlugin = Object.freeze({
  className: 'io.sluice.connect.mongodb.MongoSinkConnector',
  aliases: Object.freeze(['MongoSink', 'MongoSinkConnector', 'com.mongodb.kafka.connect.MongoSinkConnector']),
  type: 'sink',
  version: VERSION,
  create: () => new MongoSinkConnector(),
});
