/**
 * `@sluice/connector-mongodb`: a MongoDB change-stream source and a MongoDB sink, configured with the
 * official MongoDB Kafka connector's keys so its configs run with only `connector.class` changed.
 */
import type { ConnectorPlugin } from '@sluice/core';
import { mongoSinkPlugin } from './sink/mongo-sink-connector.js';
import { mongoSourcePlugin } from './source/mongo-source-connector.js';

export { VERSION } from './version.js';
export { MongoSourceConnector, mongoSourcePlugin } from './source/mongo-source-connector.js';
export { MongoSourceTask, type MongoSourceTaskOptions } from './source/mongo-source-task.js';
export {
  mongoSourceConfigSchema,
  parseSourceConfig,
  type MongoSourceSettings,
  type OutputFormat,
  type StartupMode,
  type WatchScope,
} from './source/mongo-source-config.js';
export type {
  ChangeStreamCursor,
  ChangeStreamStart,
  CopyCursor,
  MongoSourcePort,
  MongoSourcePortFactory,
  Namespace,
} from './source/mongo-source-port.js';
export { RESUME_POINT_LOST_CODES } from './source/change-stream-errors.js';
export type { ResumeToken } from './source/source-offset.js';
export type { JsonFormatter } from './bson/extended-json.js';
export { MongoSinkConnector, mongoSinkPlugin } from './sink/mongo-sink-connector.js';
export { MongoSinkTask, type MongoSinkTaskOptions } from './sink/mongo-sink-task.js';
export { mongoSinkConfigSchema, parseSinkConfig, type MongoSinkSettings, type SinkTopicSettings } from './sink/mongo-sink-config.js';
export type { MongoSinkPort, MongoSinkPortFactory } from './sink/mongo-sink-port.js';
export type { CdcHandlerName, DeleteModelName, IdStrategyName, WriteModelName } from './sink/sink-strategies.js';

/** Every plugin in this package, for the worker's plugin loader (`PluginModule.plugins`). */
export const plugins: readonly ConnectorPlugin[] = Object.freeze([mongoSourcePlugin, mongoSinkPlugin]);
