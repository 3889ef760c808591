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
import { describeEndpoint } from '../connection/pg-connection.js';
import { VERSION } from '../version.js';
import { parseSinkConfig, postgresSinkConfigSchema, validateSinkConfig } from './postgres-sink-config.js';
import { PostgresSinkTask } from './postgres-sink-task.js';

/**
 * PostgreSQL sink with the Debezium JDBC sink's keys (and Confluent JDBC sink aliases). Any number
 * of tasks: each writes its partitions' records in its own transactions. `start` only validates.
 */
export class PostgresSinkConnector implements SinkConnector {
  readonly type = 'sink' as const;
  private logger: Logger = noopLogger;
  private config: ConnectorConfig | null = null;

  version(): string {
    return VERSION;
  }

  configSchema(): ConfigSchema {
    return postgresSinkConfigSchema();
  }

  /** Schema validation plus alias conflicts, key-mode rules and URL shape. Never throws. */
  validate(config: ConnectorConfig): ConfigValidationResult {
    return validateSinkConfig(config);
  }

  initialize(context: ConnectorContext): void {
    this.logger = context.logger;
  }

  start(config: ConnectorConfig): void {
    const settings = parseSinkConfig(config);
    this.config = { ...config };
    this.logger.info('starting PostgreSQL sink connector', {
      server: describeEndpoint(settings.endpoint),
      insertMode: settings.insertMode,
    });
  }

  taskConfigs(maxTasks: number): TaskConfig[] {
    if (this.config === null) throw new IllegalStateError('taskConfigs() before start()');
    return Array.from({ length: Math.max(1, maxTasks) }, () => ({ ...(this.config as ConnectorConfig) }));
  }

  stop(): void {
    this.config = null;
  }

  createTask(): PostgresSinkTask {
    return new PostgresSinkTask();
  }
}

/** Plugin entry for the sink, also under the Debezium JDBC sink's class name. */
export const postgresSinkPlugin: ConnectorPlugin = Object.freeze({
  className: 'io.sluice.connect.postgres.PostgresSinkConnector',
  aliases: Object.freeze([
    'PostgresSink',
    'PostgresSinkConnector',
    'JdbcSink',
    'io.debezium.connector.jdbc.JdbcSinkConnector',
  ]),
  type: 'sink',
  version: VERSION,
  create: () => new PostgresSinkConnector(),
});
