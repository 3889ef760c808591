import type { ConfigImportance, ConfigKeyType, ConfigSchema, ConfigWidth } from './config-schema.js';

/**
 * One key's definition as the REST API reports it (Kafka Connect's ConfigKeyInfo, camelCased here;
 * the API maps it to the snake_case wire names).
 */
export interface ConfigKeyDefinition {
  name: string;
  type: ConfigKeyType;
  required: boolean;
  /** default rendered as a string, null when there is none */
  defaultValue: string | null;
  importance: ConfigImportance;
  documentation: string;
  group: string | null;
  order: number;
  width: ConfigWidth;
  displayName: string;
  dependents: string[];
  secret: boolean;
}

/** One key's validation result (Kafka Connect's ConfigValueInfo). */
export interface ConfigValueResult {
  name: string;
  /** value rendered back to a string; secrets as `[hidden]`; null when unset */
  value: string | null;
  recommendedValues: string[];
  errors: string[];
  visible: boolean;
}

/** Result of validating a whole config: one entry per key that has a definition or an error. */
export interface ConfigValidationResult {
  configs: ConfigValueResult[];
}

export type { ConfigSchema };

export { countErrors, NULL_VALUE_MESSAGE, validateConfig } from './validate-config.js';
export { parseConfig } from './parse-config.js';
export { configKeyType, describeConfig, mergeConfigSchemas } from './describe-config.js';
export { coerceConfigValue, HIDDEN_VALUE, isSecret, type CoerceResult } from './coerce.js';
