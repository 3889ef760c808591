import {
  Decimal,
  Schemas,
  SchemaBuilder,
  Struct,
  Timestamp,
  schemaEquals,
  type Schema,
} from '@sluice/core';
import type { Document } from 'mongodb';
import { bsonTypeOf, isDocument } from './bson-value.js';
import { parseDecimalText } from './decimal-text.js';
import { formatJson } from './extended-json.js';

// A field seen only as null: a placeholder that any real type replaces when schemas are combined.
const NULL_SENTINEL: Schema = SchemaBuilder.string().optional().build();
// Values whose types disagree (or have no Connect type) are carried as relaxed Extended JSON text.
const INCOMPATIBLE: Schema = Schemas.OPTIONAL_STRING;

/**
 * Infers a Kafka Connect struct schema for one document, as the official connector's
 * `output.schema.infer.value` does: `_id` first, other fields in name order, every field optional;
 * int32 → INT32, int64 → INT64, double → FLOAT64, Decimal128 → Decimal (its own scale), date and
 * BSON timestamp → Timestamp, binary → BYTES, sub-documents → structs, arrays → arrays of the
 * combined element schema; strings, ObjectIds (hex) and every other type → STRING. A field that is
 * null in this document becomes an optional STRING. Each document is inferred in isolation, so
 * documents of one collection may produce different schemas. Pure; `doc` is not modified.
 */
export function inferDocumentSchema(doc: Document, name?: string): Schema {
  const b = structBuilder(doc, name ?? '');
  if (name !== undefined && name !== '') b.name(name);
  return b.build();
}

/**
 * Builds the Struct for `doc` under a schema from `inferDocumentSchema` (or a compatible one).
 * Fields whose value does not fit the declared type are rendered as relaxed Extended JSON text when
 * the field is a STRING, and dropped (null) otherwise.
 */
export function documentToStruct(schema: Schema, doc: Document): Struct {
  const struct = new Struct(schema);
  for (const field of schema.fields) struct.put(field.name, toConnectValue(field.schema, doc[field.name]));
  return struct;
}

function structBuilder(doc: Document, path: string): SchemaBuilder {
  const b = SchemaBuilder.struct();
  const keys = Object.keys(doc).filter((k) => k !== '_id' && doc[k] !== undefined).sort();
  if (Object.hasOwn(doc, '_id')) keys.unshift('_id');
  for (const key of keys) b.field(key, inferValue(doc[key], childPath(path, key)));
  return b;
}

function childPath(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function inferValue(v: unknown, path: string): Schema {
  if (v === null || v === undefined) return NULL_SENTINEL;
  if (typeof v === 'boolean') return Schemas.OPTIONAL_BOOLEAN;
  if (typeof v === 'string') return Schemas.OPTIONAL_STRING;
  if (typeof v === 'bigint') return Schemas.OPTIONAL_INT64;
  if (typeof v === 'number') {
    return Number.isInteger(v) && Math.abs(v) <= 0x7fffffff ? Schemas.OPTIONAL_INT32 : Schemas.OPTIONAL_FLOAT64;
  }
  if (v instanceof Date) return Timestamp.builder().optional().build();
  if (v instanceof Uint8Array) return Schemas.OPTIONAL_BYTES;
  if (Array.isArray(v)) {
    let element = NULL_SENTINEL;
    for (const item of v) {
      element = combine(element, inferValue(item, path));
      if (element === INCOMPATIBLE) break;
    }
    return SchemaBuilder.array(element).optional().build();
  }
  switch (bsonTypeOf(v)) {
    case 'Int32':
      return Schemas.OPTIONAL_INT32;
    case 'Long':
      return Schemas.OPTIONAL_INT64;
    case 'Double':
      return Schemas.OPTIONAL_FLOAT64;
    case 'Decimal128': {
      const d = parseDecimalText(String(v));
      return d === null ? Schemas.OPTIONAL_STRING : Decimal.builder(d.scale).optional().build();
    }
    case 'Timestamp':
      return Timestamp.builder().optional().build();
    case 'Binary':
      return Schemas.OPTIONAL_BYTES;
    case undefined:
      if (isDocument(v)) return structBuilder(v, path).name(path).optional().build();
      return Schemas.OPTIONAL_STRING;
    default:
      return Schemas.OPTIONAL_STRING;
  }
}

/** The schema both `a` and `b` fit; INCOMPATIBLE (optional string) when their types differ. */
function combine(a: Schema, b: Schema): Schema {
  if (a === NULL_SENTINEL) return b;
  if (b === NULL_SENTINEL) return a;
  if (schemaEquals(a, b)) return a;
  if (a.type !== b.type) return INCOMPATIBLE;
  if (a.type === 'array') {
    return SchemaBuilder.array(combine(a.valueSchema as Schema, b.valueSchema as Schema)).optional().build();
  }
  if (a.type === 'struct') {
    const builder = SchemaBuilder.struct().optional();
    if (a.name !== undefined) builder.name(a.name);
    const names = [...new Set([...a.fields.map((f) => f.name), ...b.fields.map((f) => f.name)])]
      .filter((n) => n !== '_id')
      .sort();
    if (a.field('_id') !== undefined || b.field('_id') !== undefined) names.unshift('_id');
    for (const n of names) {
      const fa = a.field(n)?.schema;
      const fb = b.field(n)?.schema;
      builder.field(n, fa === undefined ? (fb as Schema) : fb === undefined ? fa : combine(fa, fb));
    }
    return builder.build();
  }
  return INCOMPATIBLE;
}

function toConnectValue(schema: Schema, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (schema.type) {
    case 'struct':
      return isDocument(v) ? documentToStruct(schema, v) : null;
    case 'array':
      return Array.isArray(v) ? v.map((item) => toConnectValue(schema.valueSchema as Schema, item)) : null;
    case 'string':
      if (typeof v === 'string') return v;
      if (bsonTypeOf(v) === 'ObjectId') return (v as { toHexString(): string }).toHexString();
      return formatJson(v, 'relaxed');
    case 'boolean':
      return typeof v === 'boolean' ? v : null;
    case 'int32':
    case 'float64':
      return numeric(v);
    case 'int64':
      if (schema.name === Timestamp.LOGICAL_NAME) return toDate(v);
      return int64(v);
    case 'bytes':
      if (schema.name === Decimal.LOGICAL_NAME) return bsonTypeOf(v) === 'Decimal128' ? parseDecimalText(String(v)) : null;
      if (v instanceof Uint8Array) return v;
      if (bsonTypeOf(v) === 'Binary') return (v as { buffer: Uint8Array }).buffer;
      return null;
    default:
      return null;
  }
}

function numeric(v: unknown): number | null {
  if (typeof v === 'number') return v;
  const t = bsonTypeOf(v);
  return t === 'Int32' || t === 'Double' || t === 'Long' ? Number((v as { valueOf(): unknown }).valueOf()) : null;
}

function int64(v: unknown): number | bigint | null {
  if (typeof v === 'bigint' || typeof v === 'number') return v;
  if (bsonTypeOf(v) === 'Long') {
    const big = (v as { toBigInt(): bigint }).toBigInt();
    return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
  }
  return numeric(v);
}

function toDate(v: unknown): Date | null {
  if (v instanceof Date) return v;
  if (bsonTypeOf(v) === 'Timestamp') return new Date((v as { t: number }).t * 1000);
  return null;
}
