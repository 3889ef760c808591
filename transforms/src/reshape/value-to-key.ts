import { DataError, SchemaBuilder, Struct, withRecord, type AnyRecord, type Schema, type Transformation } from '@sluice/core';
import { defineConfigSchema, listProperty, parseTransformConfig, REPLACE_NULL_WITH_DEFAULT_PROPERTY } from '../internal/config.js';
import { mapGet, sameKindAs } from '../internal/map-value.js';
import { transformationPlugin } from '../internal/plugin-factory.js';
import { requireMap, requireStruct } from '../internal/requirements.js';
import { SchemaCache } from '../internal/schema-cache.js';

/** Settings of `ValueToKey`. */
export const valueToKeyConfigSchema = defineConfigSchema(
  {
    fields: listProperty('Field names on the record value to extract as the record key.', { minItems: 1 }),
    'replace.null.with.default': REPLACE_NULL_WITH_DEFAULT_PROPERTY,
  },
  ['fields'],
);

interface Config {
  fields: string[];
  'replace.null.with.default': boolean;
}

const PURPOSE = 'copying fields from value to key';

/**
 * Kafka Connect's `ValueToKey`: replaces the key with a Struct (or, schemaless, a map) of the listed
 * value fields, in the listed order. The key schema is derived per value schema and cached. As in
 * Kafka Connect, a null value is an error, and with a schema every listed field must exist.
 */
export class ValueToKey implements Transformation {
  #fields: readonly string[] = [];
  #replaceNullWithDefault = true;
  readonly #schemas = new SchemaCache();

  configure(config: Readonly<Record<string, string>>): void {
    const c = parseTransformConfig<Config>(valueToKeyConfigSchema, config);
    this.#fields = [...c.fields];
    this.#replaceNullWithDefault = c['replace.null.with.default'];
    this.#schemas.clear();
  }

  apply<R extends AnyRecord>(record: R): R | null {
    if (record.valueSchema === null) {
      const value = requireMap(record.value, PURPOSE);
      const key = new Map<unknown, unknown>(this.#fields.map((f) => [f, mapGet(value, f)]));
      return withRecord(record, { keySchema: null, key: sameKindAs(value, key) });
    }
    const value = requireStruct(record.value, PURPOSE);
    const keySchema = this.#schemas.getOrCompute(value.schema, (s) => this.#keySchema(s));
    const key = new Struct(keySchema);
    for (const f of this.#fields) key.put(f, this.#replaceNullWithDefault ? value.get(f) : value.getWithoutDefault(f));
    return withRecord(record, { keySchema, key });
  }

  #keySchema(valueSchema: Schema): Schema {
    const builder = SchemaBuilder.struct();
    for (const name of this.#fields) {
      const field = valueSchema.field(name);
      if (field === undefined) throw new DataError(`Field does not exist: ${name}`);
      builder.field(name, field.schema);
    }
    return builder.build();
  }

  close(): void {
    this.#schemas.clear();
  }
}

/** `org.apache.kafka.connect.transforms.ValueToKey`. */
export const valueToKeyPlugin = transformationPlugin('ValueToKey', valueToKeyConfigSchema, () => new ValueToKey());
