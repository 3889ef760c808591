import { ConfigValidationError, parseConfig, type ConfigProperty, type ConfigSchema } from '@sluice/core';

/** Kafka Connect's doc for `replace.null.with.default`, shared by most field transforms. */
export const REPLACE_NULL_WITH_DEFAULT_PROPERTY: ConfigProperty = {
  type: 'boolean',
  default: true,
  description:
    'Whether a null field that has a default value is read as that default (true) or stays null (false).',
  'x-importance': 'MEDIUM',
};

/** A comma-separated list config (Kafka Connect `LIST`). */
export function listProperty(description: string, extra: Partial<ConfigProperty> = {}): ConfigProperty {
  return { type: 'array', items: { type: 'string' }, description, 'x-importance': 'HIGH', ...extra };
}

/** A string config (Kafka Connect `STRING`; values arrive trimmed, as Kafka trims them). */
export function stringProperty(description: string, extra: Partial<ConfigProperty> = {}): ConfigProperty {
  return { type: 'string', description, 'x-importance': 'MEDIUM', ...extra };
}

/** JSON Schema `pattern` matching `words` case-insensitively (ajv patterns cannot carry flags). */
export function caseInsensitiveAlternatives(words: readonly string[]): string {
  const letters = (w: string): string =>
    [...w].map((c) => (c.toLowerCase() !== c.toUpperCase() ? `[${c.toLowerCase()}${c.toUpperCase()}]` : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
  return `^(?:${words.map(letters).join('|')})$`;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * Declares a transform's config schema. The result is frozen and shared: core compiles each schema
 * object once, so reusing it keeps `configure` cheap.
 */
export function defineConfigSchema(properties: Record<string, ConfigProperty>, required: string[] = []): ConfigSchema {
  const schema: ConfigSchema = { type: 'object', properties };
  if (required.length > 0) schema.required = required;
  return deepFreeze(schema);
}

/** Parses and validates `config` against `schema`. @throws ConfigValidationError naming each bad key. */
export function parseTransformConfig<T>(schema: ConfigSchema, config: Readonly<Record<string, string>>): Readonly<T> {
  return parseConfig<T>(schema, config);
}

/**
 * A config error on one key, worded like core's messages: `Invalid value x for configuration k: …`.
 * Pass `value` null when the problem is not about one value.
 */
export function configError(key: string, value: string | null, problem: string): ConfigValidationError {
  const message = value === null ? problem : `Invalid value ${value} for configuration ${key}: ${problem}`;
  return new ConfigValidationError(message, [{ name: key, errors: [message] }]);
}

/** Splits like Java's `String.split(":")`: trailing empty parts are dropped, leading ones kept. */
export function splitColon(text: string): string[] {
  const parts = text.split(':');
  while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  if (parts.length === 1 && parts[0] === '' && text.length > 0) return [];
  return parts;
}
