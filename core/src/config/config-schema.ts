/**
 * Plugin configs are declared as JSON Schema (draft 2020-12 subset that ajv understands) with Sluice
 * metadata keywords on each property. All config values arrive as strings on the wire (Kafka Connect
 * compatibility); `validateConfig` coerces them to the declared JSON types before validation.
 */
export type ConfigImportance = 'HIGH' | 'MEDIUM' | 'LOW';
export type ConfigWidth = 'NONE' | 'SHORT' | 'MEDIUM' | 'LONG';
/** Kafka Connect ConfigDef type names, reported by the validate endpoint. */
export type ConfigKeyType = 'STRING' | 'INT' | 'SHORT' | 'LONG' | 'DOUBLE' | 'BOOLEAN' | 'LIST' | 'CLASS' | 'PASSWORD';

/** Metadata keywords a config property may carry besides standard JSON Schema. */
export interface ConfigPropertyMeta {
  description?: string;
  /** display group, e.g. "Connection" */
  'x-group'?: string;
  /** order within the group */
  'x-order'?: number;
  'x-importance'?: ConfigImportance;
  'x-width'?: ConfigWidth;
  'x-display-name'?: string;
  /** secrets are masked as `[hidden]` in every response and never logged */
  'x-secret'?: boolean;
  /** overrides the inferred Kafka Connect type name (e.g. LIST for comma-separated strings, CLASS) */
  'x-type'?: ConfigKeyType;
  /** names of keys whose visibility or recommended values depend on this one */
  'x-dependents'?: string[];
}

/** A config property: any JSON Schema for one value, plus metadata. */
export type ConfigProperty = ConfigPropertyMeta & Record<string, unknown>;

/** The schema of a plugin's config: an object schema whose properties are the config keys. */
export interface ConfigSchema {
  type: 'object';
  properties: Record<string, ConfigProperty>;
  required?: string[];
  /** Unknown keys are allowed by default (Kafka Connect passes through extra keys). */
  additionalProperties?: boolean;
  [keyword: string]: unknown;
}
