import { DataError, isDecimalValue, isStruct, SchemaBuilder, Struct, type AnyRecord, type Schema } from '@sluice/core';
import { defineConfigSchema, parseTransformConfig, stringProperty } from '../internal/config.js';
import { isMapValue, sameKindAs, toMap, type MapValue } from '../internal/map-value.js';
import { sidedPlugins } from '../internal/plugin-factory.js';
import { requireMap, requireStruct } from '../internal/requirements.js';
import { SchemaCache } from '../internal/schema-cache.js';
import { builderLike, copySchemaBasics } from '../internal/schema-copy.js';
import { SidedTransformation } from '../internal/sided-transformation.js';
import { typeName } from '../internal/type-name.js';

/** Settings of `Flatten$Key` / `Flatten$Value`. */
export const flattenConfigSchema = defineConfigSchema({
  delimiter: stringProperty('Delimiter inserted between field names of nested levels.', { default: '.' }),
});

const PURPOSE = 'flattening';
const LEAF_TYPES: ReadonlySet<string> = new Set(['int8', 'int16', 'int32', 'int64', 'float32', 'float64', 'boolean', 'string', 'bytes', 'array']);

/**
 * Kafka Connect's `Flatten`: turns nested Structs (or schemaless nested maps) into one level, naming
 * each field by joining the names along its path with `delimiter`. Arrays are leaves and are not
 * modified. With schemas, a field under an optional struct becomes optional and inherits a default
 * from its parent's default; map fields are not supported (DataError). Derived schemas are cached. A
 * null key/value passes through unchanged.
 */
export class Flatten extends SidedTransformation {
  #delimiter = '.';
  readonly #schemas = new SchemaCache();

  configure(config: Readonly<Record<string, string>>): void {
    this.#delimiter = parseTransformConfig<{ delimiter: string }>(flattenConfigSchema, config).delimiter;
    this.#schemas.clear();
  }

  #name(prefix: string, name: string): string {
    return prefix === '' ? name : `${prefix}${this.#delimiter}${name}`;
  }

  apply<R extends AnyRecord>(record: R): R | null {
    const value = this.valueOf(record);
    if (value === null) return record;
    const schema = this.schemaOf(record);
    if (schema === null) {
      const original = requireMap(value, PURPOSE);
      const out = new Map<unknown, unknown>();
      this.#flattenMap(original, '', out);
      return this.withSide(record, null, sameKindAs(original, out));
    }
    const struct = requireStruct(value, PURPOSE);
    const updatedSchema = this.#schemas.getOrCompute(schema, (s) => {
      const builder = copySchemaBasics(s, SchemaBuilder.struct());
      this.#flattenSchema(s, '', builder, s.optional, isStruct(s.defaultValue) ? s.defaultValue : null);
      return builder.build();
    });
    const updated = new Struct(updatedSchema);
    this.#flattenStruct(struct, '', updated);
    return this.withSide(record, updatedSchema, updated);
  }

  #flattenMap(map: MapValue, prefix: string, out: Map<unknown, unknown>): void {
    for (const [key, v] of toMap(map)) {
      const name = this.#name(prefix, String(key));
      if (v === null || v === undefined) {
        out.set(name, null);
      } else if (isMapValue(v) && !isDecimalValue(v)) {
        this.#flattenMap(v, name, out);
      } else if (isStruct(v)) {
        throw new DataError(`Flatten does not support Struct values in schemaless data (field ${name})`);
      } else if (isLeaf(v)) {
        out.set(name, v);
      } else {
        throw new DataError(`Flatten was passed a value of type ${typeName(v)} (field ${name}), which Connect's data API does not support`);
      }
    }
  }

  #flattenSchema(schema: Schema, prefix: string, builder: SchemaBuilder, optional: boolean, parentDefault: Struct | null): void {
    for (const field of schema.fields) {
      const name = this.#name(prefix, field.name);
      const fieldOptional = optional || field.schema.optional;
      const fieldDefault = field.schema.defaultValue ?? (parentDefault === null ? null : parentDefault.get(field.name));
      if (LEAF_TYPES.has(field.schema.type)) {
        const b = builderLike(field.schema);
        if (fieldOptional) b.optional();
        if (fieldDefault !== null && fieldDefault !== undefined) b.defaultValue(fieldDefault);
        builder.field(name, b.build());
      } else if (field.schema.type === 'struct') {
        this.#flattenSchema(field.schema, name, builder, fieldOptional, isStruct(fieldDefault) ? fieldDefault : null);
      } else {
        throw new DataError(`Flatten does not support ${field.schema.type.toUpperCase()} fields in records with schemas (field ${name})`);
      }
    }
  }

  #flattenStruct(struct: Struct | null, prefix: string, out: Struct): void {
    if (struct === null) return;
    for (const field of struct.schema.fields) {
      const name = this.#name(prefix, field.name);
      if (LEAF_TYPES.has(field.schema.type)) out.put(name, struct.get(field.name));
      else if (field.schema.type === 'struct') this.#flattenStruct(struct.getStruct(field.name), name, out);
      else throw new DataError(`Flatten does not support ${field.schema.type.toUpperCase()} fields in records with schemas (field ${name})`);
    }
  }

  override close(): void {
    this.#schemas.clear();
  }
}

// Schemaless leaves: Connect primitives and arrays; Dates and Decimals are kept as leaves too.
function isLeaf(v: unknown): boolean {
  return (
    typeof v === 'number' ||
    typeof v === 'bigint' ||
    typeof v === 'boolean' ||
    typeof v === 'string' ||
    v instanceof Uint8Array ||
    Array.isArray(v) ||
    v instanceof Date ||
    isDecimalValue(v)
  );
}

/** `org.apache.kafka.connect.transforms.Flatten$Key` and `…$Value`. */
export const flattenPlugins = sidedPlugins('Flatten', flattenConfigSchema, (side) => new Flatten(side));
