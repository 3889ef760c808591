/**
 * `@sluice/connector-file`: Kafka Connect's FileStream source and sink, under the same class names
 * and config keys, so existing Kafka Connect configs run unchanged.
 */
import type { ConnectorPlugin } from '@sluice/core';
import { fileStreamSinkPlugin } from './sink/file-stream-sink-connector.js';
import { fileStreamSourcePlugin } from './source/file-stream-source-connector.js';

export { FileStreamSourceConnector, fileStreamSourcePlugin } from './source/file-stream-source-connector.js';
export { FileStreamSourceTask, type FileStreamSourceTaskOptions } from './source/file-stream-source-task.js';
export { DEFAULT_BATCH_SIZE, fileStreamSourceConfigSchema } from './source/file-stream-source-config.js';
export type { FileIdentity } from './source/file-offset.js';
export { FileStreamSinkConnector, fileStreamSinkPlugin } from './sink/file-stream-sink-connector.js';
export { FileStreamSinkTask, type FileStreamSinkTaskOptions } from './sink/file-stream-sink-task.js';
export { fileStreamSinkConfigSchema } from './sink/file-stream-sink-config.js';
export { renderValue } from './sink/render-value.js';

/** Every plugin in this package, for the worker's plugin loader (`PluginModule.plugins`). */
export const plugins: readonly ConnectorPlugin[] = Object.freeze([fileStreamSourcePlugin, fileStreamSinkPlugin]);
