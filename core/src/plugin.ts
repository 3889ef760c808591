import type { ConfigSchema } from './config/config-schema.js';
import type { Converter, HeaderConverter } from './converter/converter.js';
import type { Predicate, Transformation } from './transform/transformation.js';
import type { ConnectorPlugin } from './connector/connector.js';

export type PluginType = 'source' | 'sink' | 'converter' | 'header_converter' | 'transformation' | 'predicate';

interface PluginBase {
  /** canonical id, e.g. `org.apache.kafka.connect.json.JsonConverter` (Kafka Connect's class name where one exists) */
  readonly className: string;
  /** short aliases, e.g. `JsonConverter` */
  readonly aliases?: readonly string[];
  readonly version: string;
  /** JSON Schema of the plugin's own settings (without prefixes) */
  configSchema?(): ConfigSchema;
}

export interface ConverterPlugin extends PluginBase {
  readonly type: 'converter';
  create(): Converter;
}
export interface HeaderConverterPlugin extends PluginBase {
  readonly type: 'header_converter';
  create(): HeaderConverter;
}
export interface TransformationPlugin extends PluginBase {
  readonly type: 'transformation';
  create(): Transformation;
}
export interface PredicatePlugin extends PluginBase {
  readonly type: 'predicate';
  create(): Predicate;
}

export type Plugin = ConnectorPlugin | ConverterPlugin | HeaderConverterPlugin | TransformationPlugin | PredicatePlugin;

/** What a plugin package exports as `plugins` (the worker loads these by module name or path). */
export type PluginModule = { plugins: readonly Plugin[] };
