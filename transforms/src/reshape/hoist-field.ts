import { SchemaBuilder, Struct, type AnyRecord } from '@sluice/core';
import { defineConfigSchema, parseTransformConfig, stringProperty } from '../internal/config.js';
import { sidedPlugins } from '../internal/plugin-factory.js';
import { SchemaCache } from '../internal/schema-cache.js';
import { SidedTransformation } from '../internal/sided-transformation.js';

/** Settings of `HoistField$Key` / `HoistField$Value`. */
export const hoistFieldConfigSchema = defineConfigSchema(
  { field: stringProperty('Name of the single field of the resulting Struct or map.') },
  ['field'],
);

/**
 * Kafka Connect's `HoistField`: wraps the whole key or value in a single-field Struct (schema
 * `struct{field: <original schema>}`, cached) or, schemaless, a `Map` with one entry. The value is
 * wrapped even when null; with a schema that is only valid if the original schema is optional.
 */
export class HoistField extends SidedTransformation {
  #field = '';
  readonly #schemas = new SchemaCache();

  configure(config: Readonly<Record<string, string>>): void {
    this.#field = parseTransformConfig<{ field: string }>(hoistFieldConfigSchema, config).field;
    this.#schemas.clear();
  }

  apply<R extends AnyRecord>(record: R): R | null {
    const schema = this.schemaOf(record);
    const value = this.valueOf(record);
    if (schema === null) return this.withSide(record, null, new Map([[this.#field, value]]));
    const updatedSchema = this.#schemas.getOrCompute(schema, (s) => SchemaBuilder.struct().field(this.#field, s).build());
    return this.withSide(record, updatedSchema, new Struct(updatedSchema).put(this.#field, value));
  }

  override close(): void {
    this.#schemas.clear();
  }
}

/** `org.apache.kafka.connect.transforms.HoistField$Key` and `…$Value`. */
export const hoistFieldPlugins = sidedPlugins('HoistField', hoistFieldConfigSchema, (side) => new HoistField(side));
