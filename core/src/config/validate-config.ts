import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import type { ConfigProperty, ConfigSchema } from './config-schema.js';
import { coerceConfigValue, invalidValueMessage, renderConfigValue } from './coerce.js';
import type { ConfigValidationResult, ConfigValueResult } from './validate.js';

/** Error for a key supplied with a JSON `null` (Kafka Connect's exact wording). */
export const NULL_VALUE_MESSAGE = 'Null value can not be supplied as the configuration value.';

const ajv = new Ajv2020({ allErrors: true, strict: false, logger: false });
// ajv-formats is not a dependency of core; these cover what config schemas use in practice.
ajv.addFormat('uri', {
  type: 'string',
  validate: (s: string) => {
    try {
      return new URL(s).protocol.length > 0;
    } catch {
      return false;
    }
  },
});
ajv.addFormat('regex', {
  type: 'string',
  validate: (s: string) => {
    try {
      new RegExp(s, 'u');
      return true;
    } catch {
      return false;
    }
  },
});
ajv.addFormat('hostname', /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/);

const compiled = new WeakMap<ConfigSchema, ValidateFunction | Error>();

function validatorFor(schema: ConfigSchema): ValidateFunction | Error {
  let v = compiled.get(schema);
  if (v === undefined) {
    try {
      // Drop $id so two plugins declaring the same id cannot collide in the shared ajv instance.
      const { $id: _id, ...rest } = schema;
      v = ajv.compile(rest);
    } catch (err) {
      v = err instanceof Error ? err : new Error(String(err));
    }
    compiled.set(schema, v);
  }
  return v;
}

/** A validated config: per-key results plus the coerced values (defaults applied, unknown keys raw). */
export interface ConfigEvaluation {
  result: ConfigValidationResult;
  values: Record<string, unknown>;
}

function recommendedValues(prop: ConfigProperty): string[] {
  const items = prop['items'] as ConfigProperty | undefined;
  const e = Array.isArray(prop['enum']) ? prop['enum'] : Array.isArray(items?.['enum']) ? items['enum'] : [];
  return (e as unknown[]).filter((v) => v !== null).map((v) => String(v));
}

/**
 * Validates and coerces a wire config. Never throws. `validateConfig` returns the `result` part;
 * `parseConfig` uses both.
 */
export function evaluateConfig(schema: ConfigSchema, config: Readonly<Record<string, string | null>>): ConfigEvaluation {
  const properties: Record<string, ConfigProperty> = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  const results = new Map<string, ConfigValueResult>();
  const values: Record<string, unknown> = {};
  const resultFor = (name: string): ConfigValueResult => {
    let r = results.get(name);
    if (r === undefined) {
      const prop = properties[name];
      const raw = config[name];
      r = {
        name,
        value: raw === undefined || raw === null ? null : prop !== undefined ? renderConfigValue(prop, raw) : raw,
        recommendedValues: prop === undefined ? [] : recommendedValues(prop),
        errors: [],
        visible: true,
      };
      results.set(name, r);
    }
    return r;
  };
  const addError = (name: string, message: string): void => {
    const r = resultFor(name);
    if (!r.errors.includes(message)) r.errors.push(message);
  };

  for (const [name, prop] of Object.entries(properties)) {
    const r = resultFor(name);
    const raw = Object.hasOwn(config, name) ? config[name] : undefined;
    if (raw === null) {
      addError(name, NULL_VALUE_MESSAGE);
    } else if (raw === undefined) {
      if (prop['default'] !== undefined) {
        values[name] = prop['default'];
        r.value = renderConfigValue(prop, prop['default']);
      } else if (required.has(name)) {
        addError(name, `Missing required configuration "${name}" which has no default value.`);
      }
    } else {
      const c = coerceConfigValue(prop, raw);
      if (c.ok) {
        values[name] = c.value;
        r.value = renderConfigValue(prop, c.value);
      } else {
        addError(name, invalidValueMessage(name, prop, raw, c.problem));
      }
    }
  }
  for (const [name, raw] of Object.entries(config)) {
    if (Object.hasOwn(properties, name)) continue;
    if (raw === null) addError(name, NULL_VALUE_MESSAGE);
    else values[name] = raw;
  }

  const validate = validatorFor(schema);
  if (validate instanceof Error) {
    const first = Object.keys(properties)[0] ?? 'config';
    addError(first, `The plugin's config schema is invalid: ${validate.message}`);
  } else if (!validate(values)) {
    for (const e of validate.errors ?? []) {
      const mapped = describeAjvError(e, properties, results);
      if (mapped !== undefined) addError(mapped.name, mapped.message);
    }
  }
  return { result: { configs: [...results.values()] }, values };
}

/**
 * Validates a config as Kafka Connect's validate endpoint does: one result per defined key (in
 * schema order) plus one per unknown key that has an error. Values arrive as strings and are coerced
 * to each key's JSON type first. Never throws; messages name the key and say what is wrong.
 */
export function validateConfig(schema: ConfigSchema, config: Readonly<Record<string, string | null>>): ConfigValidationResult {
  return evaluateConfig(schema, config).result;
}

/** Total number of error messages in a result (Kafka Connect's `error_count`). */
export function countErrors(result: ConfigValidationResult): number {
  return result.configs.reduce((n, c) => n + c.errors.length, 0);
}

function keyOf(instancePath: string): string | undefined {
  const seg = instancePath.split('/')[1];
  return seg === undefined ? undefined : seg.replace(/~1/g, '/').replace(/~0/g, '~');
}

// Turns one ajv error into a plain-words message on the key it concerns; undefined to drop it.
function describeAjvError(
  e: ErrorObject,
  properties: Record<string, ConfigProperty>,
  results: Map<string, ConfigValueResult>,
): { name: string; message: string } | undefined {
  const params = e.params as Record<string, unknown>;
  if (e.instancePath === '') {
    switch (e.keyword) {
      case 'required': {
        // Top-level `required` is reported before ajv runs; conditional ones (if/then, allOf) are not.
        if (e.schemaPath === '#/required') return undefined;
        const name = String(params['missingProperty']);
        if ((results.get(name)?.errors.length ?? 0) > 0) return undefined;
        return { name, message: `Missing required configuration "${name}" which has no default value.` };
      }
      case 'dependentRequired': {
        const name = String(params['missingProperty']);
        return { name, message: `Missing required configuration "${name}", which is needed when "${String(params['property'])}" is set.` };
      }
      case 'additionalProperties': {
        const name = String(params['additionalProperty']);
        return { name, message: `Unknown configuration "${name}" is not allowed.` };
      }
      case 'if':
        // The failing `then`/`else` branch reports its own errors; "must match then schema" adds nothing.
        return undefined;
    }
    const first = Object.keys(properties)[0] ?? 'config';
    return { name: first, message: `Invalid configuration: ${e.message ?? e.keyword}` };
  }
  const name = keyOf(e.instancePath) ?? 'config';
  const prop = properties[name];
  const shown = results.get(name)?.value ?? null;
  return { name, message: invalidValueMessage(name, prop, shown, problemFor(e, params)) };
}

function problemFor(e: ErrorObject, params: Record<string, unknown>): string {
  const nested = e.instancePath.split('/').length > 2 ? 'each item ' : '';
  switch (e.keyword) {
    case 'type': {
      const t = String(params['type']);
      const words: Record<string, string> = {
        integer: 'an integer',
        number: 'a number',
        boolean: 'a boolean',
        string: 'a string',
        array: 'a list',
        object: 'a JSON object',
        null: 'empty',
      };
      return `${nested}must be ${words[t] ?? t}`;
    }
    case 'enum':
      return `${nested}must be one of ${(params['allowedValues'] as unknown[]).map(String).join(', ')}`;
    case 'const':
      return `${nested}must be ${String(params['allowedValue'])}`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `${nested}must be ${String(params['comparison'])} ${String(params['limit'])}`;
    case 'minLength':
      return `${nested}must be at least ${String(params['limit'])} characters long`;
    case 'maxLength':
      return `${nested}must be at most ${String(params['limit'])} characters long`;
    case 'minItems':
      return `must have at least ${String(params['limit'])} items`;
    case 'maxItems':
      return `must have at most ${String(params['limit'])} items`;
    case 'uniqueItems':
      return 'must not contain duplicate items';
    case 'pattern':
      return `${nested}must match the pattern ${String(params['pattern'])}`;
    case 'format':
      return `${nested}must be a valid ${String(params['format'])}`;
    default:
      return `${nested}${e.message ?? `fails the "${e.keyword}" rule`}`;
  }
}
