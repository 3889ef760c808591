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
import { redactUri } from '../connection/mongo-connection.js';
import { VERSION } from '../version.js';
import { mongoSourceConfigSchema, parseSourceConfig, validateSourceConfig } from './mongo-source-config.js';
import { MongoSourceTask, type MongoSourceTaskOptions } from './mongo-source-task.js';
import { decodeOffset } from './source-offset.js';

/**
 * MongoDB change-stream source (`MongoSource`), configured with the official MongoDB Kafka source
 * connector's keys. Always one task: a change stream is a single ordered cursor. `start` only
 * validates the config; the task connects.
 */
export class MongoSourceConnector implements SourceConnector {
  readonly type = 'source' as const;
  private logger: Logger = noopLogger;
  private config: ConnectorConfig | null = null;

  constructor(private readonly taskOptions: MongoSourceTaskOptions = {}) {}

  version(): string {
    return VERSION;
  }

  configSchema(): ConfigSchema {
    return mongoSourceConfigSchema();
  }

  /** JSON pipelines, collation, start time, topic map and URI shape. Never throws. */
  validate(config: ConnectorConfig): ConfigValidationResult {
    return validateSourceConfig(config);
  }

  initialize(context: ConnectorContext): void {
    this.logger = context.logger;
  }

  start(config: ConnectorConfig): void {
    const settings = parseSourceConfig(config);
    this.config = { ...config };
    this.logger.info('starting MongoDB source connector', { hosts: redactUri(settings.connectionUri), scope: settings.scope, startupMode: settings.startupMode });
  }

  taskConfigs(_maxTasks: number): TaskConfig[] {
    if (this.config === null) throw new IllegalStateError('taskConfigs() before start()');
    return [{ ...this.config }];
  }

  stop(): void {
    this.config = null;
  }

  createTask(): MongoSourceTask {
    return new MongoSourceTask(this.taskOptions);
  }

  /** Resume tokens can be replayed from stored offsets, so records can be written transactionally. */
  exactlyOnceSupport(_config: ConnectorConfig): ExactlyOnceSupport {
    return 'SUPPORTED';
  }

  /**
   * Checks offsets written through the REST API: partitions `{ns}`, offsets holding a resume token
   * (`{_id: "<token JSON>"}`, optionally `HEARTBEAT`) or a copy marker. Throws DataError otherwise.
   * Nothing is stored outside the offsets store.
   */
  alterOffsets(_config: ConnectorConfig, offsets: ReadonlyMap<SourcePartition, SourceOffset | null>): boolean {
    for (const [partition, offset] of offsets) {
      if (typeof partition['ns'] !== 'string' || partition['ns'] === '') {
        throw new DataError(`MongoDB source partitions need an "ns" key, got ${JSON.stringify(partition)}`);
      }
      if (offset !== null) decodeOffset(offset);
    }
    return true;
  }
}

/** Plugin entry for the MongoDB source, also under the official connector's class name. */
export const mongoSourcePlugin: ConnectorPlugin = Object.freeze({
  className: 'io.sluice.connect.mongodb.MongoSourceConnector',
  aliases: Object.freeze(['MongoSource', 'MongoSourceConnector', 'com.mongodb.kafka.connect.MongoSourceConnector']),
  type: 'source',
  version: VERSION,
  create: () => new MongoSourceConnector(),
});
