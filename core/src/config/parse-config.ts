import { ConfigValidationError } from '../errors/connect-error.js';
import type { ConfigSchema } from './config-schema.js';
import { evaluateConfig } from './validate-config.js';

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const child of Object.values(v)) deepFreeze(child);
  }
  return v;
}

/**
 * Parses a wire config for use (a plugin's `start`/`configure`): coerces each defined key to its JSON
 * type, applies defaults, validates against the schema and returns a deeply frozen object. Keys the
 * schema does not define are kept as their raw strings; keys with neither a value nor a default are
 * absent. `T` is the caller's view of the result and is not checked beyond the schema.
 *
 * @throws ConfigValidationError whose `fields` list every bad key with its messages and whose message
 *   lists all errors. Secret values never appear in messages.
 */
export function parseConfig<T = Record<string, unknown>>(schema: ConfigSchema, config: Readonly<Record<string, string>>): Readonly<T> {
  const { result, values } = evaluateConfig(schema, config);
  const bad = result.configs.filter((c) => c.errors.length > 0);
  if (bad.length > 0) {
    const all = bad.flatMap((c) => c.errors);
    throw new ConfigValidationError(
      `Invalid configuration (${all.length} error${all.length === 1 ? '' : 's'}): ${all.join('; ')}`,
      bad.map((c) => ({ name: c.name, errors: [...c.errors] })),
    );
  }
  // Defaults may be shared objects from the schema: copy before freezing so the schema stays usable.
  return deepFreeze(structuredClone(values)) as Readonly<T>;
}
