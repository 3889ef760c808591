import { SchemaBuilder, Struct, type AnyRecord, type Schema } from '@sluice/core';
import { configError, defineConfigSchema, listProperty, parseTransformConfig, REPLACE_NULL_WITH_DEFAULT_PROPERTY, splitColon } from '../internal/config.js';
import { sameKindAs, toMap } from '../internal/map-value.js';
import { sidedPlugins } from '../internal/plugin-factory.js';
import { requireMap, requireStruct } from '../internal/requirements.js';
import { SchemaCache } from '../internal/schema-cache.js';
import { copySchemaBasics } from '../internal/schema-copy.js';
import { SidedTransformation } from '../internal/sided-transformation.js';

/** Settings of `ReplaceField$Key` / `ReplaceField$Value` (Kafka Connect 4.x keys; no whitelist/blacklist). */
export const replaceFieldConfigSchema = defineConfigSchema({
  exclude: listProperty('Fields to exclude. This takes precedence over the fields to include.', { default: [], 'x-importance': 'MEDIUM' }),
  include: listProperty('Fields to include. If specified, only these fields are kept.', { default: [], 'x-importance': 'MEDIUM' }),
  renames: listProperty('Field rename mappings: a list of colon-delimited pairs, e.g. foo:bar,abc:xyz.', {
    default: [],
    'x-importance': 'MEDIUM',
    items: { type: 'string', pattern: '^[^:]*:[^:]+:*$' },
  }),
  'replace.null.with.default': REPLACE_NULL_WITH_DEFAULT_PROPERTY,
});

interface Config {
  exclude: string[];
  include: string[];
  renames: string[];
  'replace.null.with.default': boolean;
}

const PURPOSE = 'field replacement';

/**
 * Kafka Connect's `ReplaceField`: keeps only `include`d fields (all when empty), drops `exclude`d ones
 * (exclusion wins) and renames fields per `renames`. Works on Structs (derived schema cached per input
 * schema) and schemaless maps. A null key/value passes through unchanged.
 */
export class ReplaceField extends SidedTransformation {
  #exclude: ReadonlySet<string> = new Set();
  #include: ReadonlySet<string> = new Set();
  #renames: ReadonlyMap<string, string> = new Map();
  #reverse: ReadonlyMap<string, string> = new Map();
  #replaceNullWithDefault = true;
  readonly #schemas = new SchemaCache();

  /** @throws ConfigValidationError for a rename that is not `old:new`. */
  configure(config: Readonly<Record<string, string>>): void {
    const c = parseTransformConfig<Config>(replaceFieldConfigSchema, config);
    const renames = new Map<string, string>();
    for (const mapping of c.renames) {
      const parts = splitColon(mapping);
      if (parts.length !== 2) throw configError('renames', c.renames.join(','), `Invalid rename mapping: ${mapping}`);
      renames.set(parts[0] as string, parts[1] as string);
    }
    this.#exclude = new Set(c.exclude);
    this.#include = new Set(c.include);
    this.#renames = renames;
    this.#reverse = new Map([...renames].map(([from, to]) => [to, from]));
    this.#replaceNullWithDefault = c['replace.null.with.default'];
    this.#schemas.clear();
  }

  #keep(name: string): boolean {
    return !this.#exclude.has(name) && (this.#include.size === 0 || this.#include.has(name));
  }

  #renamed(name: string): string {
    return this.#renames.get(name) ?? name;
  }

  apply<R extends AnyRecord>(record: R): R | null {
    const value = this.valueOf(record);
    if (value === null) return record;
    if (this.schemaOf(record) === null) {
      const original = requireMap(value, PURPOSE);
      const updated = new Map<unknown, unknown>();
      for (const [k, v] of toMap(original)) if (this.#keep(String(k))) updated.set(this.#renamed(String(k)), v);
      return this.withSide(record, null, sameKindAs(original, updated));
    }
    const struct = requireStruct(value, PURPOSE);
    const schema = this.#schemas.getOrCompute(struct.schema, (s) => this.#updatedSchema(s));
    const updated = new Struct(schema);
    for (const field of schema.fields) {
      const from = this.#reverse.get(field.name) ?? field.name;
      updated.put(field.name, this.#replaceNullWithDefault ? struct.get(from) : struct.getWithoutDefault(from));
    }
    return this.withSide(record, schema, updated);
  }

  #updatedSchema(schema: Schema): Schema {
    const builder = copySchemaBasics(schema, SchemaBuilder.struct());
    for (const field of schema.fields) if (this.#keep(field.name)) builder.field(this.#renamed(field.name), field.schema);
    return builder.build();
  }

  override close(): void {
    this.#schemas.clear();
  }
}

/** `org.apache.kafka.connect.transforms.ReplaceField$Key` and `…$Value`. */
export const replaceFieldPlugins = sidedPlugins('ReplaceField', replaceFieldConfigSchema, (side) => new ReplaceField(side));
