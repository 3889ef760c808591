import { DataError } from '../errors/connect-error.js';
import { schemaEquals } from './connect-schema.js';
import { DateLogical, Decimal, describeType, isDecimalValue, Time, Timestamp } from './logical.js';
import type { Schema } from './schema.js';
import { SchemaBuilder } from './schema-builder.js';
import { isStruct } from './struct.js';

const INT_RANGES = {
  int8: [-128, 127],
  int16: [-32_768, 32_767],
  int32: [-2_147_483_648, 2_147_483_647],
} as const;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** True for a plain `{}` object (not a Map, Date, Struct, array, …). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Iterates a map value given as a `Map` or a plain object. */
export function mapEntries(v: Map<unknown, unknown> | Record<string, unknown>): Iterable<[unknown, unknown]> {
  return v instanceof Map ? v.entries() : Object.entries(v);
}

function fail(path: string, message: string): never {
  throw new DataError(path === '' ? `Invalid value: ${message}` : `Invalid value for field "${path}": ${message}`);
}

function join(path: string, segment: string | number): string {
  if (typeof segment === 'number') return `${path}[${segment}]`;
  return path === '' ? segment : `${path}.${segment}`;
}

/**
 * Checks that `value` is a valid in-memory value for `schema` (see the representation table on
 * `Schema`), recursing into arrays, maps and structs. `null`/`undefined` is valid only for an optional
 * schema or one with a default. Never mutates the value.
 *
 * @param path field path used in the error message (e.g. `after.id`); empty for the root.
 * @throws DataError naming the path and what was wrong; the message names types, never payload values.
 */
export function validateValue(schema: Schema, value: unknown, path = ''): void {
  if (value === null || value === undefined) {
    if (schema.optional || schema.defaultValue !== undefined) return;
    fail(path, `null used for required field, schema type: ${schema.type}`);
  }
  const expected: (what: string) => never = (what) => fail(path, `expected ${what} but got ${describeType(value)}`);
  switch (schema.name) {
    case Decimal.LOGICAL_NAME: {
      if (!isDecimalValue(value)) expected('a Decimal { unscaled: bigint, scale: number }');
      const scale = Decimal.scaleOf(schema);
      if (value.scale !== scale) fail(path, `Decimal scale ${value.scale} does not match the schema's scale ${scale}`);
      return;
    }
    case DateLogical.LOGICAL_NAME:
    case Time.LOGICAL_NAME:
    case Timestamp.LOGICAL_NAME: {
      if (!(value instanceof Date)) expected('a Date');
      try {
        if (schema.name === DateLogical.LOGICAL_NAME) DateLogical.fromLogical(schema, value);
        else if (schema.name === Time.LOGICAL_NAME) Time.fromLogical(schema, value);
        else Timestamp.fromLogical(schema, value);
      } catch (err) {
        fail(path, (err as Error).message);
      }
      return;
    }
  }
  switch (schema.type) {
    case 'int8':
    case 'int16':
    case 'int32': {
      const [min, max] = INT_RANGES[schema.type];
      if (typeof value !== 'number' || !Number.isInteger(value)) expected(`an integer (${schema.type})`);
      if (value < min || value > max) fail(path, `${value} is out of range for ${schema.type}`);
      return;
    }
    case 'int64': {
      if (typeof value === 'bigint') {
        if (value < INT64_MIN || value > INT64_MAX) fail(path, 'bigint is out of range for int64');
        return;
      }
      if (typeof value !== 'number' || !Number.isInteger(value)) expected('an integer or bigint (int64)');
      if (value < -(2 ** 63) || value >= 2 ** 63) fail(path, 'number is out of range for int64');
      return;
    }
    case 'float32':
    case 'float64':
      if (typeof value !== 'number') expected(`a number (${schema.type})`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') expected('a boolean');
      return;
    case 'string':
      if (typeof value !== 'string') expected('a string');
      return;
    case 'bytes':
      if (!(value instanceof Uint8Array)) expected('a Uint8Array (bytes)');
      return;
    case 'array': {
      if (!Array.isArray(value)) expected('an array');
      const elem = schema.valueSchema as Schema;
      value.forEach((v, i) => validateValue(elem, v, join(path, i)));
      return;
    }
    case 'map': {
      const keySchema = schema.keySchema as Schema;
      const valueSchema = schema.valueSchema as Schema;
      if (!(value instanceof Map) && !isPlainObject(value)) expected('a Map');
      if (!(value instanceof Map) && keySchema.type !== 'string') fail(path, `plain objects can only hold string keys, the key schema is ${keySchema.type}`);
      // Entries are named by position: map keys are payload and must not leak into error messages.
      let i = 0;
      for (const [k, v] of mapEntries(value)) {
        validateValue(keySchema, k, `${join(path, i)}.key`);
        validateValue(valueSchema, v, `${join(path, i)}.value`);
        i++;
      }
      return;
    }
    case 'struct': {
      if (!isStruct(value)) expected('a Struct');
      if (value.schema !== schema && !schemaEquals(value.schema, schema)) fail(path, 'Struct schema does not match the field schema');
      value.validate(path);
      return;
    }
  }
}

/**
 * Infers a schema for schemaless data (Kafka Connect's `Values.inferSchema`, extended to JS types):
 * integers (number or bigint) → int64, other numbers → float64, string, boolean, `Uint8Array` → bytes,
 * `Date` → Timestamp, `DecimalValue` → Decimal, `Struct` → its schema, arrays → array of the common
 * element schema, `Map`s and plain objects → map. Returns `null` for `null`, for empty or mixed
 * arrays/maps and for values with no Connect type, meaning "no schema" (the value stays schemaless).
 */
export function inferSchema(value: unknown): Schema | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return SchemaBuilder.string().build();
  if (typeof value === 'boolean') return SchemaBuilder.bool().build();
  if (typeof value === 'bigint') return SchemaBuilder.int64().build();
  if (typeof value === 'number') return Number.isInteger(value) ? SchemaBuilder.int64().build() : SchemaBuilder.float64().build();
  if (value instanceof Uint8Array) return SchemaBuilder.bytes().build();
  if (value instanceof Date) return Timestamp.schema();
  if (isStruct(value)) return value.schema;
  if (isDecimalValue(value) && Object.keys(value).length === 2) return Decimal.schema(value.scale);
  if (Array.isArray(value)) {
    const elem = commonSchema(value);
    return elem === null ? null : SchemaBuilder.array(elem).build();
  }
  if (value instanceof Map || isPlainObject(value)) {
    const entries = [...mapEntries(value)];
    const keySchema = commonSchema(entries.map(([k]) => k));
    const valueSchema = commonSchema(entries.map(([, v]) => v));
    return keySchema === null || valueSchema === null ? null : SchemaBuilder.map(keySchema, valueSchema).build();
  }
  return null;
}

// The one schema every non-null element shares (made optional when some are null), or null.
function commonSchema(values: readonly unknown[]): Schema | null {
  let found: Schema | null = null;
  let sawNull = false;
  for (const v of values) {
    if (v === null || v === undefined) {
      sawNull = true;
      continue;
    }
    const s = inferSchema(v);
    if (s === null) return null;
    if (found === null) found = s;
    else if (!schemaEquals(found, s)) return null;
  }
  return found === null || !sawNull ? found : asOptional(found);
}

/** The same schema made optional (returned unchanged when it already is). */
export function asOptional(s: Schema): Schema {
  if (s.optional) return s;
  const b = s.type === 'array' ? SchemaBuilder.array(s.valueSchema as Schema)
    : s.type === 'map' ? SchemaBuilder.map(s.keySchema as Schema, s.valueSchema as Schema)
    : SchemaBuilder.type(s.type);
  for (const f of s.fields) b.field(f.name, f.schema);
  if (s.name !== undefined) b.name(s.name);
  if (s.version !== undefined) b.version(s.version);
  if (s.doc !== undefined) b.doc(s.doc);
  if (s.parameters !== undefined) b.parameters(s.parameters);
  if (s.defaultValue !== undefined) b.defaultValue(s.defaultValue);
  return b.optional().build();
}

/**
 * Deep equality of Connect values: numbers and bigints compare by numeric value, bytes by content,
 * Dates by time, Maps and plain objects by entries (order-insensitive), Structs by schema and values,
 * Decimals by unscaled value and scale. `NaN` equals `NaN` (as Java's `Double.equals`).
 */
export function valueEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return (a ?? null) === (b ?? null);
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) {
    if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
    // eslint-disable-next-line eqeqeq -- loose equality compares a bigint with a number exactly
    return a == b;
  }
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return a instanceof Uint8Array && b instanceof Uint8Array && a.length === b.length && a.every((x, i) => x === b[i]);
  }
  if (a instanceof Date || b instanceof Date) return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  if (isStruct(a) || isStruct(b)) return isStruct(a) && isStruct(b) && a.equals(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => valueEquals(x, b[i]));
  }
  if (isDecimalValue(a) && isDecimalValue(b)) return a.unscaled === b.unscaled && a.scale === b.scale;
  const isMapLike = (v: object): v is Map<unknown, unknown> | Record<string, unknown> => v instanceof Map || isPlainObject(v);
  if (!isMapLike(a) || !isMapLike(b)) return false;
  const ea = [...mapEntries(a)];
  const eb = [...mapEntries(b)];
  if (ea.length !== eb.length) return false;
  return ea.every(([ka, va]) => eb.some(([kb, vb]) => valueEquals(ka, kb) && valueEquals(va, vb)));
}
