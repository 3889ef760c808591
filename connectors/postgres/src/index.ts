/**
 * `@sluice/connector-postgres`: a PostgreSQL CDC source over logical replication (pgoutput) that
 * emits Debezium-compatible change events, and a JDBC-style PostgreSQL sink that understands them.
 * Both accept Debezium's config keys (the sink also Confluent's JDBC sink aliases).
 */
import type { ConnectorPlugin } from '@sluice/core';
import { postgresSinkPlugin } from './sink/postgres-sink-connector.js';
import { postgresCdcSourcePlugin } from './source/postgres-cdc-source-connector.js';

export { VERSION } from './version.js';
export { PostgresCdcSourceConnector, postgresCdcSourcePlugin } from './source/postgres-cdc-source-connector.js';
export { PostgresCdcSourceTask, type PostgresCdcSourceTaskOptions } from './source/postgres-cdc-source-task.js';
export {
  parseSourceConfig,
  postgresSourceConfigSchema,
  validateSourceConfig,
  type Operation,
  type PostgresSourceSettings,
  type PublicationAutocreateMode,
  type SnapshotMode,
} from './source/postgres-source-config.js';
export {
  decodeOffset,
  sourcePartition,
  type DecodedOffset,
  type SnapshotProgress,
  type StreamPosition,
} from './source/source-position.js';
export {
  SemanticTypes,
  type BinaryHandlingMode,
  type DecimalHandlingMode,
  type IntervalHandlingMode,
  type TimePrecisionMode,
  type TypeMappingOptions,
} from './types/column-mapping.js';
export { UNAVAILABLE_VALUE_PLACEHOLDER } from './types/placeholder-values.js';
export { formatLsn, parseLsn, type Lsn } from './replication/lsn.js';
export { PostgresSinkConnector, postgresSinkPlugin } from './sink/postgres-sink-connector.js';
export { PostgresSinkTask } from './sink/postgres-sink-task.js';
export {
  parseSinkConfig,
  postgresSinkConfigSchema,
  validateSinkConfig,
  type InsertMode,
  type PostgresSinkSettings,
  type PrimaryKeyMode,
} from './sink/postgres-sink-config.js';

/** Every plugin in this package, for the worker's plugin loader (`PluginModule.plugins`). */
export const plugins: readonly ConnectorPlugin[] = Object.freeze([postgresCdcSourcePlugin, postgresSinkPlugin]);
