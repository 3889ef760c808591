import { isStruct, SchemaBuilder, Struct, type AnyRecord, type Schema } from '@sluice/core';
import { configError, defineConfigSchema, parseTransformConfig, REPLACE_NULL_WITH_DEFAULT_PROPERTY, stringProperty } from '../internal/config.js';
import { sidedPlugins } from '../internal/plugin-factory.js';
import { requireSchema } from '../internal/requirements.js';
import { SchemaCache } from '../internal/schema-cache.js';
import { SidedTransformation } from '../internal/sided-transformation.js';

/** Settings of `SetSchemaMetadata$Key` / `SetSchemaMetadata$Value`. */
export const setSchemaMetadataConfigSchema = defineConfigSchema({
  'schema.name': stringProperty('Schema name to set.', { 'x-importance': 'HIGH' }),
  'schema.version': { type: 'integer', minimum: -(2 ** 31), maximum: 2 ** 31 - 1, description: 'Schema version to set.', 'x-importance': 'HIGH' },
  'replace.null.with.default': REPLACE_NULL_WITH_DEFAULT_PROPERTY,
});

interface Config {
  'schema.name'?: string;
  'schema.version'?: number;
  'replace.null.with.default': boolean;
}

/**
 * Kafka Connect's `SetSchemaMetadata`: sets the name and/or version of the key or value schema,
 * keeping everything else (type, optionality, default, doc, parameters, fields). A Struct value is
 * re-created against the renamed schema. A record side with neither schema nor value passes through;
 * a value without a schema is a DataError.
 */
export class SetSchemaMetadata extends SidedTransformation {
  #name: string | undefined;
  #version: number | undefined;
  #replaceNullWithDefault = true;
  readonly #schemas = new SchemaCache();

  /** @throws ConfigValidationError when neither `schema.name` nor `schema.version` is set. */
  configure(config: Readonly<Record<string, string>>): void {
    const c = parseTransformConfig<Config>(setSchemaMetadataConfigSchema, config);
    if (c['schema.name'] === undefined && c['schema.version'] === undefined) {
      throw configError('schema.name', null, 'Neither schema name nor version configured');
    }
    this.#name = c['schema.name'];
    this.#version = c['schema.version'];
    this.#replaceNullWithDefault = c['replace.null.with.default'];
    this.#schemas.clear();
  }

  apply<R extends AnyRecord>(record: R): R | null {
    const schema = this.schemaOf(record);
    const value = this.valueOf(record);
    if (schema === null && value === null) return record;
    const updated = this.#schemas.getOrCompute(requireSchema(schema, 'updating schema metadata'), (s) => this.#updatedSchema(s));
    return this.withSide(record, updated, isStruct(value) ? this.#restruct(value, updated) : value);
  }

  #updatedSchema(schema: Schema): Schema {
    const builder =
      schema.type === 'array' ? SchemaBuilder.array(schema.valueSchema as Schema)
      : schema.type === 'map' ? SchemaBuilder.map(schema.keySchema as Schema, schema.valueSchema as Schema)
      : SchemaBuilder.type(schema.type);
    for (const field of schema.fields) builder.field(field.name, field.schema);
    if (schema.optional) builder.optional();
    const name = this.#name ?? schema.name;
    const version = this.#version ?? schema.version;
    if (name !== undefined) builder.name(name);
    if (version !== undefined) builder.version(version);
    if (schema.doc !== undefined) builder.doc(schema.doc);
    if (schema.parameters !== undefined) builder.parameters(schema.parameters);
    if (schema.defaultValue !== undefined) {
      // A struct default must be re-created against the renamed schema to stay valid for it.
      const d = schema.defaultValue;
      builder.defaultValue(isStruct(d) ? this.#restruct(d, builder.build()) : d);
    }
    return builder.build();
  }

  #restruct(value: Struct, schema: Schema): Struct {
    const out = new Struct(schema);
    for (const field of schema.fields) {
      out.put(field.name, this.#replaceNullWithDefault ? value.get(field.name) : value.getWithoutDefault(field.name));
    }
    return out;
  }

  override close(): void {
    this.#schemas.clear();
  }
}

/** `org.apache.kafka.connect.transforms.SetSchemaMetadata$Key` and `…$Value`. */
export const setSchemaMetadataPlugins = sidedPlugins('SetSchemaMetadata', setSchemaMetadataConfigSchema, (side) => new SetSchemaMetadata(side));
