/**
 * `@sluice/connector-s3`: S3 sink and source connectors. The sink lands topic data in
 * S3-compatible object storage in Confluent's S3 sink layout and config keys (exactly-once results
 * with a deterministic layout); the source reads objects back, including a restore mode that
 * writes records back to the topic and partition they came from.
 */
import type { ConnectorPlugin } from '@sluice/core';
import { s3SinkPlugin } from './sink/s3-sink-connector.js';
import { s3SourcePlugin } from './source/s3-source-connector.js';

export { S3SinkConnector, s3SinkPlugin } from './sink/s3-sink-connector.js';
export { S3SinkTask, type S3SinkTaskOptions } from './sink/s3-sink-task.js';
export {
  s3SinkConfigSchema,
  parseSinkConfig,
  type S3SinkSettings,
  type NullValueBehavior,
} from './sink/s3-sink-config.js';
export { objectKey, parseObjectKey, type KeyLayout, type ObjectFileName } from './sink/object-key.js';
export { S3SourceConnector, s3SourcePlugin } from './source/s3-source-connector.js';
export { S3SourceTask, type S3SourceTaskOptions } from './source/s3-source-task.js';
export {
  s3SourceConfigSchema,
  parseSourceConfig,
  type S3SourceSettings,
  type SourceMode,
} from './source/s3-source-config.js';
export type { ObjectStore, ObjectUpload, ObjectInfo } from './storage/object-store.js';
export { S3ObjectStore, type ObjectWriteOptions } from './storage/s3-object-store.js';
export { InMemoryObjectStore } from './storage/in-memory-object-store.js';
export { BackoffRetryStrategy, type BackoffRetryOptions, type RetryEvent } from './storage/backoff-retry-strategy.js';
export type { S3ConnectionSettings } from './storage/s3-connection-config.js';
export type { FormatName, CompressionType, ParquetCodec, DecodedRecord } from './format/record-format.js';
export type { PartitionerName } from './partitioner/partitioner.js';
export type { TimestampExtractorName } from './partitioner/timestamp-extractor.js';

/** Every plugin in this package, for the worker's plugin loader (`PluginModule.plugins`). */
export const plugins: readonly ConnectorPlugin[] = Object.freeze([s3SinkPlugin, s3SourcePlugin]);
