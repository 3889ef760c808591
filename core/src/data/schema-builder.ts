import { DataError } from '../errors/connect-error.js';
import { ConnectSchema } from './connect-schema.js';
import type { Schema, SchemaType } from './schema.js';
import { validateValue } from './values.js';

export { schemaEquals } from './connect-schema.js';

const SCHEMA_TYPES: ReadonlySet<string> = new Set<SchemaType>([
  'int8',
  'int16',
  'int32',
  'int64',
  'float32',
  'float64',
  'boolean',
  'string',
  'bytes',
  'array',
  'map',
  'struct',
]);

/**
 * Fluent builder for immutable `Schema`s (Kafka Connect's `SchemaBuilder`). A builder is mutable and
 * single-use in spirit; `build()` may be called more than once and returns a new frozen schema each
 * time. Setters for name, version, doc and default may be called only once (as in Kafka Connect), so a
 * typo that sets the same property twice fails loudly instead of silently winning.
 *
 * @throws DataError on invalid calls (duplicate field, `field()` on a non-struct, a default value that
 *   does not match the schema at `build()`).
 */
export class SchemaBuilder {
  readonly #type: SchemaType;
  #optional = false;
  #defaultValue: unknown = undefined;
  #name: string | undefined;
  #version: number | undefined;
  #doc: string | undefined;
  #parameters: Record<string, string> | undefined;
  readonly #valueSchema: Schema | undefined;
  readonly #keySchema: Schema | undefined;
  readonly #fields: { name: string; schema: Schema }[] = [];

  /** Prefer the static factories; `valueSchema`/`keySchema` are required for array/map. */
  constructor(type: SchemaType, valueSchema?: Schema, keySchema?: Schema) {
    if (!SCHEMA_TYPES.has(type)) throw new DataError(`Unknown schema type: ${String(type)}`);
    if ((type === 'array' || type === 'map') && valueSchema == null) {
      throw new DataError(`A ${type} schema needs a value schema`);
    }
    if (type === 'map' && keySchema == null) throw new DataError('A map schema needs a key schema');
    this.#type = type;
    this.#valueSchema = valueSchema;
    this.#keySchema = keySchema;
  }

  static int8(): SchemaBuilder {
    return new SchemaBuilder('int8');
  }
  static int16(): SchemaBuilder {
    return new SchemaBuilder('int16');
  }
  static int32(): SchemaBuilder {
    return new SchemaBuilder('int32');
  }
  static int64(): SchemaBuilder {
    return new SchemaBuilder('int64');
  }
  static float32(): SchemaBuilder {
    return new SchemaBuilder('float32');
  }
  static float64(): SchemaBuilder {
    return new SchemaBuilder('float64');
  }
  static bool(): SchemaBuilder {
    return new SchemaBuilder('boolean');
  }
  static string(): SchemaBuilder {
    return new SchemaBuilder('string');
  }
  static bytes(): SchemaBuilder {
    return new SchemaBuilder('bytes');
  }
  static struct(): SchemaBuilder {
    return new SchemaBuilder('struct');
  }
  /** An array whose elements all follow `valueSchema`. */
  static array(valueSchema: Schema | SchemaBuilder): SchemaBuilder {
    return new SchemaBuilder('array', asSchema(valueSchema));
  }
  /** A map from `keySchema` keys to `valueSchema` values. */
  static map(keySchema: Schema | SchemaBuilder, valueSchema: Schema | SchemaBuilder): SchemaBuilder {
    return new SchemaBuilder('map', asSchema(valueSchema), asSchema(keySchema));
  }
  /** A builder for a primitive or struct type given by name (array/map need their factories). */
  static type(t: SchemaType): SchemaBuilder {
    return new SchemaBuilder(t);
  }

  get type(): SchemaType {
    return this.#type;
  }

  optional(): this {
    this.#optional = true;
    return this;
  }
  required(): this {
    this.#optional = false;
    return this;
  }
  /** Value used when a field is unset or null; checked against the schema by `build()`. */
  defaultValue(value: unknown): this {
    this.#checkUnset('default', this.#defaultValue);
    this.#defaultValue = value;
    return this;
  }
  name(name: string): this {
    this.#checkUnset('name', this.#name);
    this.#name = name;
    return this;
  }
  version(version: number): this {
    this.#checkUnset('version', this.#version);
    if (!Number.isInteger(version)) throw new DataError(`Schema version must be an integer, got ${version}`);
    this.#version = version;
    return this;
  }
  doc(doc: string): this {
    this.#checkUnset('doc', this.#doc);
    this.#doc = doc;
    return this;
  }
  /** Adds one string parameter; later calls for the same key win. Order is kept (it shows in JSON). */
  parameter(key: string, value: string): this {
    this.#parameters ??= {};
    this.#parameters[key] = value;
    return this;
  }
  parameters(params: Readonly<Record<string, string>>): this {
    for (const [k, v] of Object.entries(params)) this.parameter(k, v);
    return this;
  }
  /** Appends a struct field. Throws on a non-struct builder, an empty name or a duplicate name. */
  field(name: string, schema: Schema | SchemaBuilder): this {
    if (this.#type !== 'struct') throw new DataError(`Cannot add field "${name}" to a non-struct schema (${this.#type})`);
    if (typeof name !== 'string' || name.length === 0) throw new DataError('A struct field needs a non-empty name');
    if (this.#fields.some((f) => f.name === name)) {
      throw new DataError(`Cannot create field "${name}": a field with that name already exists`);
    }
    this.#fields.push({ name, schema: asSchema(schema) });
    return this;
  }

  /** Returns a new frozen schema. Throws DataError if the default value does not fit the schema. */
  build(): Schema {
    const base = {
      type: this.#type,
      optional: this.#optional,
      name: this.#name,
      version: this.#version,
      doc: this.#doc,
      parameters: this.#parameters,
      valueSchema: this.#valueSchema,
      keySchema: this.#keySchema,
      fields: this.#fields,
    };
    if (this.#defaultValue === undefined || this.#defaultValue === null) return new ConnectSchema(base);
    // Validate against the schema without a default, so a null default cannot sneak through.
    const withoutDefault = new ConnectSchema(base);
    try {
      validateValue(withoutDefault, this.#defaultValue, 'default');
    } catch (err) {
      throw new DataError(`Invalid default value for ${withoutDefault.toString()}: ${(err as Error).message}`, { cause: err });
    }
    return new ConnectSchema({ ...base, defaultValue: freezeDefault(this.#defaultValue) });
  }

  #checkUnset(what: string, current: unknown): void {
    if (current !== undefined) throw new DataError(`Invalid SchemaBuilder call: ${what} has already been set`);
  }
}

function asSchema(s: Schema | SchemaBuilder): Schema {
  if (s == null) throw new DataError('Schema must not be null');
  return s instanceof SchemaBuilder ? s.build() : s;
}

// Arrays and plain objects are frozen so a shared default cannot be mutated through one record.
function freezeDefault(v: unknown): unknown {
  if (Array.isArray(v)) return Object.freeze([...v]);
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) return Object.freeze({ ...v });
  return v;
}

const make = (t: SchemaType, optional: boolean): Schema => {
  const b = SchemaBuilder.type(t);
  return (optional ? b.optional() : b).build();
};

/** Ready-made primitive schemas (Kafka Connect's `Schema.INT8_SCHEMA` …). */
export const Schemas = Object.freeze({
  INT8: make('int8', false),
  INT16: make('int16', false),
  INT32: make('int32', false),
  INT64: make('int64', false),
  FLOAT32: make('float32', false),
  FLOAT64: make('float64', false),
  BOOLEAN: make('boolean', false),
  STRING: make('string', false),
  BYTES: make('bytes', false),
  OPTIONAL_INT8: make('int8', true),
  OPTIONAL_INT16: make('int16', true),
  OPTIONAL_INT32: make('int32', true),
  OPTIONAL_INT64: make('int64', true),
  OPTIONAL_FLOAT32: make('float32', true),
  OPTIONAL_FLOAT64: make('float64', true),
  OPTIONAL_BOOLEAN: make('boolean', true),
  OPTIONAL_STRING: make('string', true),
  OPTIONAL_BYTES: make('bytes', true),
});
