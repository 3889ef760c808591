import { DataError } from '../errors/connect-error.js';
import { schemaEquals } from './connect-schema.js';
import { Decimal, isDecimalValue } from './logical.js';
import type { Field, Schema, SchemaType } from './schema.js';
import { isPlainObject, mapEntries, validateValue, valueEquals } from './values.js';

// Brand instead of instanceof: two copies of core may be loaded in one process.
const STRUCT_BRAND = Symbol.for('sluice.Struct');

/** True for any `Struct`, from this or another copy of core. */
export function isStruct(v: unknown): v is Struct {
  return typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[STRUCT_BRAND] === true;
}

/**
 * A record value with a struct schema (Kafka Connect's `Struct`). Mutable while being filled with
 * `put`; every `put` checks the value against the field's schema. Not thread-safe in the sense that
 * a struct shared between records must not be mutated after hand-off (records are treated as
 * immutable by the runtime).
 */
export class Struct {
  readonly schema: Schema;
  readonly #values: unknown[];

  /** @throws DataError when `schema` is not a struct schema. */
  constructor(schema: Schema) {
    if (schema == null || schema.type !== 'struct') {
      throw new DataError(`Not a struct schema: ${schema == null ? 'null' : schema.type}`);
    }
    this.schema = schema;
    this.#values = new Array<unknown>(schema.fields.length).fill(null);
    Object.defineProperty(this, STRUCT_BRAND, { value: true });
  }

  /**
   * Sets a field. `null`/`undefined` clears it (allowed for optional fields and fields with a default).
   * @throws DataError naming the field when it does not exist or the value does not fit its schema.
   */
  put(fieldName: string, value: unknown): this {
    const field = this.#lookup(fieldName);
    validateValue(field.schema, value, field.name);
    this.#values[field.index] = value ?? null;
    return this;
  }

  /** The field's value, or its schema default when unset; `null` when neither. */
  get(fieldName: string): unknown {
    const field = this.#lookup(fieldName);
    return this.#values[field.index] ?? field.schema.defaultValue ?? null;
  }

  /** The field's value as set, ignoring the default (Kafka Connect's `getWithoutDefault`). */
  getWithoutDefault(fieldName: string): unknown {
    return this.#values[this.#lookup(fieldName).index] ?? null;
  }

  getString(fieldName: string): string | null {
    return this.#typed(fieldName, 'string') as string | null;
  }
  getInt8(fieldName: string): number | null {
    return this.#typed(fieldName, 'int8') as number | null;
  }
  getInt16(fieldName: string): number | null {
    return this.#typed(fieldName, 'int16') as number | null;
  }
  getInt32(fieldName: string): number | null {
    return this.#typed(fieldName, 'int32') as number | null;
  }
  /** int64 values are `number` when safe and may be `bigint` (converters produce bigint beyond 2^53). */
  getInt64(fieldName: string): number | bigint | null {
    return this.#typed(fieldName, 'int64') as number | bigint | null;
  }
  getFloat32(fieldName: string): number | null {
    return this.#typed(fieldName, 'float32') as number | null;
  }
  getFloat64(fieldName: string): number | null {
    return this.#typed(fieldName, 'float64') as number | null;
  }
  getBoolean(fieldName: string): boolean | null {
    return this.#typed(fieldName, 'boolean') as boolean | null;
  }
  getBytes(fieldName: string): Uint8Array | null {
    return this.#typed(fieldName, 'bytes') as Uint8Array | null;
  }
  getStruct(fieldName: string): Struct | null {
    return this.#typed(fieldName, 'struct') as Struct | null;
  }
  getArray<T = unknown>(fieldName: string): T[] | null {
    return this.#typed(fieldName, 'array') as T[] | null;
  }
  /** Map fields may hold a `Map` or (for string keys) a plain object; plain objects are returned as a Map. */
  getMap<K = unknown, V = unknown>(fieldName: string): Map<K, V> | null {
    const v = this.#typed(fieldName, 'map');
    if (v === null || v instanceof Map) return v as Map<K, V> | null;
    return new Map(mapEntries(v as Record<string, unknown>)) as Map<K, V>;
  }

  /**
   * Checks that every required field without a default has a value, recursing into nested structs.
   * @param path prefix for error messages when this struct is nested.
   * @throws DataError naming the first missing or invalid field.
   */
  validate(path = ''): void {
    for (const field of this.schema.fields) {
      const fieldPath = path === '' ? field.name : `${path}.${field.name}`;
      const value = this.#values[field.index];
      if (value === null && (field.schema.optional || field.schema.defaultValue !== undefined)) continue;
      if (value === null) {
        throw new DataError(`Invalid value for field "${fieldPath}": required field is missing, schema type: ${field.schema.type}`);
      }
      validateValue(field.schema, value, fieldPath);
    }
  }

  /** Same schema (structurally) and deeply equal values (defaults not applied). */
  equals(other: unknown): boolean {
    if (this === other) return true;
    if (!isStruct(other)) return false;
    if (other.schema !== this.schema && !schemaEquals(this.schema, other.schema)) return false;
    return this.schema.fields.every((f) => valueEquals(this.getWithoutDefault(f.name), other.getWithoutDefault(f.name)));
  }

  /**
   * A JSON-safe plain object of the field values (defaults applied), for debugging and tests:
   * bigint → number when safe else string, bytes → base64, Date → ISO string, Decimal → plain
   * string, Map → object (non-string keys stringified). Not a wire format; use a converter for that.
   */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const f of this.schema.fields) out[f.name] = toJsonSafe(this.get(f.name));
    return out;
  }

  /** `Struct{a=1,b=x}`; unset fields are omitted (as in Kafka Connect). */
  toString(): string {
    const parts: string[] = [];
    for (const f of this.schema.fields) {
      const v = this.#values[f.index];
      if (v !== null) parts.push(`${f.name}=${isStruct(v) ? v.toString() : JSON.stringify(toJsonSafe(v))}`);
    }
    return `Struct{${parts.join(',')}}`;
  }

  #lookup(fieldName: string): Field {
    const field = this.schema.field(fieldName);
    if (field === undefined) throw new DataError(`${fieldName} is not a valid field name`);
    return field;
  }

  #typed(fieldName: string, type: SchemaType): unknown {
    const field = this.#lookup(fieldName);
    if (field.schema.type !== type) throw new DataError(`Field '${fieldName}' is not of type ${type}`);
    return this.get(fieldName);
  }
}

function toJsonSafe(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
  if (v instanceof Date) return v.toISOString();
  if (isStruct(v)) return v.toJSON();
  if (isDecimalValue(v)) return Decimal.toString(v);
  if (Array.isArray(v)) return v.map(toJsonSafe);
  if (v instanceof Map || isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, val] of mapEntries(v)) out[String(k)] = toJsonSafe(val);
    return out;
  }
  return v;
}
