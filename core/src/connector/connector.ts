import type { ConfigSchema } from '../config/config-schema.js';
import type { ConfigValidationResult } from '../config/validate.js';
import type { Logger } from '../logger.js';
import type { SourceOffset, SourcePartition, TopicPartition } from '../record/record.js';
import type { SinkTask, SourceTask } from './task.js';

/** A connector's raw config: every value a string, as on Kafka Connect's wire. */
export type ConnectorConfig = Readonly<Record<string, string>>;
export type TaskConfig = Readonly<Record<string, string>>;

/** What the runtime gives a connector instance. */
export interface ConnectorContext {
  readonly connectorName: string;
  readonly logger: Logger;
  /** Ask the runtime to call `taskConfigs` again (e.g. the set of tables changed). */
  requestTaskReconfiguration(): void;
  /** Fail the connector from a background thread of work. */
  raiseError(error: Error): void;
}

interface ConnectorBase {
  /** Plugin version reported by `GET /connector-plugins`. */
  version(): string;
  /** The JSON Schema of this connector's config (connector-specific keys only). */
  configSchema(): ConfigSchema;
  /**
   * Optional extra validation beyond the schema (cross-field rules, reachability checks). Called by
   * the validate endpoint and before create; must not throw, must not keep resources open.
   */
  validate?(config: ConnectorConfig): Promise<ConfigValidationResult> | ConfigValidationResult;
  /** Called once before `start`. */
  initialize?(context: ConnectorContext): void;
  /** Start with a validated config. May do I/O; throwing fails the connector. */
  start(config: ConnectorConfig): Promise<void> | void;
  /** Split work into at most `maxTasks` task configs. */
  taskConfigs(maxTasks: number): Promise<TaskConfig[]> | TaskConfig[];
  /** Release resources. Idempotent. */
  stop(): Promise<void> | void;
}

export type ExactlyOnceSupport = 'SUPPORTED' | 'UNSUPPORTED';

export interface SourceConnector extends ConnectorBase {
  readonly type: 'source';
  /** Creates a fresh task instance; the runtime calls it once per task. */
  createTask(): SourceTask;
  exactlyOnceSupport?(config: ConnectorConfig): ExactlyOnceSupport;
  canDefineTransactionBoundaries?(config: ConnectorConfig): ExactlyOnceSupport;
  /**
   * Called when offsets are altered or reset through the REST API (connector STOPPED).
   * Return true if the connector itself handled the change (e.g. it manages offsets externally too).
   */
  alterOffsets?(
    config: ConnectorConfig,
    offsets: ReadonlyMap<SourcePartition, SourceOffset | null>,
  ): Promise<boolean> | boolean;
}

export interface SinkConnector extends ConnectorBase {
  readonly type: 'sink';
  createTask(): SinkTask;
  alterOffsets?(
    config: ConnectorConfig,
    offsets: ReadonlyMap<TopicPartition, number | null>,
  ): Promise<boolean> | boolean;
}

export type Connector = SourceConnector | SinkConnector;

/** Anything that constructs a connector: what a plugin module exports. */
export interface ConnectorPlugin {
  /** canonical id, e.g. `io.sluice.connect.file.FileStreamSourceConnector` */
  readonly className: string;
  /** short aliases, e.g. `FileStreamSource`, `FileStreamSourceConnector` */
  readonly aliases?: readonly string[];
  readonly type: 'source' | 'sink';
  readonly version: string;
  create(): Connector;
}
