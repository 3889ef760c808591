import { DataError, SchemaBuilder, Struct, withRecord, type AnyRecord, type Header, type Schema } from '@sluice/core';
import { configError, defineConfigSchema, listProperty, parseTransformConfig, REPLACE_NULL_WITH_DEFAULT_PROPERTY, stringProperty } from '../internal/config.js';
import { mapGet, sameKindAs, toMap } from '../internal/map-value.js';
import { sidedPlugins } from '../internal/plugin-factory.js';
import { requireMap, requireStruct } from '../internal/requirements.js';
import { SchemaCache } from '../internal/schema-cache.js';
import { copySchemaBasics } from '../internal/schema-copy.js';
import { SidedTransformation } from '../internal/sided-transformation.js';

/** What HeaderFrom does with the fields: `move` removes them from the key/value, `copy` keeps them. */
export type HeaderFromOperation = 'move' | 'copy';

/** Settings of `HeaderFrom$Key` / `HeaderFrom$Value`. */
export const headerFromConfigSchema = defineConfigSchema(
  {
    fields: listProperty('Field names whose values are copied or moved to headers.', { minItems: 1 }),
    headers: listProperty('Header names, in the same order as the fields.', { minItems: 1 }),
    operation: stringProperty('move: the fields are removed from the key/value; copy: they are kept.', { enum: ['move', 'copy'], 'x-importance': 'HIGH' }),
    'replace.null.with.default': REPLACE_NULL_WITH_DEFAULT_PROPERTY,
  },
  ['fields', 'headers', 'operation'],
);

interface Config {
  fields: string[];
  headers: string[];
  operation: HeaderFromOperation;
  'replace.null.with.default': boolean;
}

/**
 * Kafka Connect's `HeaderFrom`: adds a header per listed field, holding the field's value (and, with
 * schemas, the field's schema), then with `move` removes the fields (derived schema cached). Headers
 * are appended; existing headers of the same name are kept. As in Kafka Connect, a null key/value is
 * an error, and with a schema each listed field must exist.
 */
export class HeaderFrom extends SidedTransformation {
  #fields: readonly string[] = [];
  #headers: readonly string[] = [];
  #operation: HeaderFromOperation = 'copy';
  #replaceNullWithDefault = true;
  readonly #schemas = new SchemaCache();

  /** @throws ConfigValidationError when `fields` and `headers` differ in length or `operation` is not move/copy. */
  configure(config: Readonly<Record<string, string>>): void {
    const c = parseTransformConfig<Config>(headerFromConfigSchema, config);
    if (c.fields.length !== c.headers.length) {
      throw configError('headers', null, "'fields' config must have the same number of elements as 'headers' config.");
    }
    this.#fields = [...c.fields];
    this.#headers = [...c.headers];
    this.#operation = c.operation;
    this.#replaceNullWithDefault = c['replace.null.with.default'];
    this.#schemas.clear();
  }

  apply<R extends AnyRecord>(record: R): R | null {
    const schema = this.schemaOf(record);
    const value = this.valueOf(record);
    const purpose = `header ${this.#operation}`;
    const headers: Header[] = [...record.headers];
    if (schema === null) {
      const original = requireMap(value, purpose);
      const updated = toMap(original);
      this.#fields.forEach((field, i) => {
        headers.push({ key: this.#headers[i] as string, schema: null, value: mapGet(original, field) });
        if (this.#operation === 'move') updated.delete(field);
      });
      return withRecord(this.withSide(record, null, sameKindAs(original, updated)), { headers });
    }
    const struct = requireStruct(value, purpose);
    const read = (name: string): unknown => (this.#replaceNullWithDefault ? struct.get(name) : struct.getWithoutDefault(name));
    this.#fields.forEach((name, i) => {
      const field = schema.field(name);
      if (field === undefined) throw new DataError(`Field does not exist: ${name}`);
      headers.push({ key: this.#headers[i] as string, schema: field.schema, value: read(name) });
    });
    if (this.#operation === 'copy') return withRecord(record, { headers });
    const moved = this.#schemas.getOrCompute(schema, (s) => this.#withoutFields(s));
    const updated = new Struct(moved);
    for (const field of moved.fields) updated.put(field.name, read(field.name));
    return withRecord(this.withSide(record, moved, updated), { headers });
  }

  #withoutFields(schema: Schema): Schema {
    const builder = copySchemaBasics(schema, SchemaBuilder.struct());
    for (const field of schema.fields) if (!this.#fields.includes(field.name)) builder.field(field.name, field.schema);
    return builder.build();
  }

  override close(): void {
    this.#schemas.clear();
  }
}

/** `org.apache.kafka.connect.transforms.HeaderFrom$Key` and `…$Value`. */
export const headerFromPlugins = sidedPlugins('HeaderFrom', headerFromConfigSchema, (side) => new HeaderFrom(side));
