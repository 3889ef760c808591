import type { ConfigKeyType, ConfigProperty, ConfigSchema } from './config-schema.js';
import { HIDDEN_VALUE, isSecret, jsonTypeOf, renderPlain } from './coerce.js';
import type { ConfigKeyDefinition } from './validate.js';

const INT_MAX = 2 ** 31 - 1;
const INT_MIN = -(2 ** 31);

function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

/**
 * The Kafka Connect ConfigDef type name of a property: `x-type` when given, else `PASSWORD` for
 * secrets, else from the JSON type (integer → INT, or LONG when its bounds exceed 32 bits; number →
 * DOUBLE; boolean → BOOLEAN; array → LIST; anything else → STRING).
 */
export function configKeyType(prop: ConfigProperty): ConfigKeyType {
  const explicit = prop['x-type'];
  if (explicit !== undefined) return explicit;
  if (prop['x-secret'] === true) return 'PASSWORD';
  switch (jsonTypeOf(prop)) {
    case 'integer': {
      const max = num(prop['maximum']) ?? num(prop['exclusiveMaximum']);
      const min = num(prop['minimum']) ?? num(prop['exclusiveMinimum']);
      return (max !== undefined && max > INT_MAX) || (min !== undefined && min < INT_MIN) ? 'LONG' : 'INT';
    }
    case 'number':
      return 'DOUBLE';
    case 'boolean':
      return 'BOOLEAN';
    case 'array':
      return 'LIST';
    default:
      return 'STRING';
  }
}

/**
 * Describes every key of a config schema in declaration order, as Kafka Connect's ConfigKeyInfo:
 * `required` only when listed in `required` and without a default; `defaultValue` rendered as a
 * string (lists comma-joined, secrets `[hidden]`), null when none; importance MEDIUM, width NONE,
 * order -1 and display name = key unless the `x-` metadata says otherwise.
 */
export function describeConfig(schema: ConfigSchema): ConfigKeyDefinition[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([name, prop]) => {
    const dflt = prop['default'];
    const hasDefault = dflt !== undefined;
    return {
      name,
      type: configKeyType(prop),
      required: required.has(name) && !hasDefault,
      defaultValue: !hasDefault || dflt === null ? null : isSecret(prop) ? HIDDEN_VALUE : renderPlain(dflt),
      importance: prop['x-importance'] ?? 'MEDIUM',
      documentation: typeof prop.description === 'string' ? prop.description : '',
      group: prop['x-group'] ?? null,
      order: prop['x-order'] ?? -1,
      width: prop['x-width'] ?? 'NONE',
      displayName: prop['x-display-name'] ?? name,
      dependents: [...(prop['x-dependents'] ?? [])],
      secret: isSecret(prop),
    };
  });
}

/**
 * Combines config schemas (e.g. framework keys + a connector's own keys): properties are united with
 * later schemas winning per key, `required` lists are united, other top-level keywords are taken
 * from the last schema that sets them. Inputs are not modified.
 */
export function mergeConfigSchemas(...schemas: ConfigSchema[]): ConfigSchema {
  const merged: ConfigSchema = { type: 'object', properties: {} };
  const required: string[] = [];
  for (const s of schemas) {
    const { properties, required: req, ...rest } = s;
    Object.assign(merged, rest);
    Object.assign(merged.properties, properties);
    for (const r of req ?? []) if (!required.includes(r)) required.push(r);
  }
  merged.type = 'object';
  if (required.length > 0) merged.required = required;
  return merged;
}
