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
  type SourceOffset,
  type SourcePartition,
  type TaskConfig,
} from '@sluice/core';
import { describeEndpoint } from '../connection/pg-connection.js';
import { VERSION } from '../version.js';
import { PostgresCdcSourceTask, type PostgresCdcSourceTaskOptions } from './postgres-cdc-source-task.js';
import { parseSourceConfig, postgresSourceConfigSchema, validateSourceConfig } from './postgres-source-config.js';
import { decodeOffset } from './source-position.js';

/**
 * PostgreSQL CDC source over logical replication (`pgoutput`), configured with Debezium's PostgreSQL
 * connector keys and emitting Debezium-compatible change events. Always one task: a replication slot
 * is a single ordered stream. `start` only validates; the task connects.
 */
export class PostgresCdcSourceConnector implements SourceConnector {
  readonly type = 'source' as const;
  private logger: Logger = noopLogger;
  private config: ConnectorConfig | null = null;

  constructor(private readonly taskOptions: PostgresCdcSourceTaskOptions = {}) {}

  version(): string {
    return VERSION;
  }

  configSchema(): ConfigSchema {
    return postgresSourceConfigSchema();
  }

  /** Schema validation plus cross-field rules (exclusive include/exclude lists, regexes, queue size). Never throws. */
  validate(config: ConnectorConfig): ConfigValidationResult {
    return validateSourceConfig(config);
  }

  initialize(context: ConnectorContext): void {
    this.logger = context.logger;
  }

  start(config: ConnectorConfig): void {
    const settings = parseSourceConfig(config);
    this.config = { ...config };
    this.logger.info('starting PostgreSQL CDC source connector', {
      server: describeEndpoint(settings.endpoint),
      slot: settings.slotName,
      topicPrefix: settings.topicPrefix,
    });
  }

  taskConfigs(_maxTasks: number): TaskConfig[] {
    if (this.config === null) throw new IllegalStateError('taskConfigs() before start()');
    return [{ ...this.config }];
  }

  stop(): void {
    this.config = null;
  }

  createTask(): PostgresCdcSourceTask {
    return new PostgresCdcSourceTask(this.taskOptions);
  }

  /** Offsets pin a replayable position, so records can be written in the offsets' transaction. */
  exactlyOnceSupport(_config: ConnectorConfig): ExactlyOnceSupport {
    return 'SUPPORTED';
  }

  /**
   * Checks offsets written through the REST API: partition `{server: <topic.prefix>}`, offset with a
   * numeric `lsn` or `lsn_commit` (Debezium's format). Throws DataError otherwise. The slot is not
   * moved: the task compares it with the offset on start.
   */
  alterOffsets(_config: ConnectorConfig, offsets: ReadonlyMap<SourcePartition, SourceOffset | null>): boolean {
    for (const [partition, offset] of offsets) {
      if (typeof partition['server'] !== 'string' || partition['server'] === '') {
        throw new IllegalStateError(
          `PostgreSQL source partitions are {"server": "<topic.prefix>"}, got ${JSON.stringify(partition)}`,
        );
      }
      if (offset !== null) decodeOffset(offset);
    }
    return true;
  }
}

/** Plugin entry for the CDC source, also under Debezium's class name so Debezium configs run unchanged. */
export const postgresCdcSourcePlugin: ConnectorPlugin = Object.freeze({
  className: 'io.sluice.connect.postgres.PostgresCdcSourceConnector',
  aliases: Object.freeze([
    'PostgresCdcSource',
    'PostgresCdcSourceConnector',
    'io.debezium.connector.postgresql.PostgresConnector',
  ]),
  type: 'source',
  version: VERSION,
  create: () => new PostgresCdcSourceConnector(),
});
