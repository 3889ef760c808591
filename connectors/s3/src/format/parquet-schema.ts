import type { SchemaElement } from 'hyparquet';
import {
  DataError,
  DateLogical,
  Decimal,
  isDecimalValue,
  isStruct,
  SchemaBuilder,
  Struct,
  Time,
  Timestamp,
  type Schema,
} from '@sluice/core';

/**
 * Connect schemas ↔ Parquet schemas and values, so Parquet objects carry typed columns:
 * int8/int16 → INT32 (INT_8/INT_16), int32 → INT32, int64 → INT64, float32 → FLOAT, float64 → DOUBLE,
 * boolean → BOOLEAN, string → UTF8, bytes → BYTE_ARRAY, Decimal → DECIMAL (BYTE_ARRAY, precision from
 * `connect.decimal.precision` or 38), Date → DATE, Time → TIME_MILLIS, Timestamp → TIMESTAMP_MILLIS,
 * struct → group, array → 3-level LIST, map → MAP. Optional schemas become OPTIONAL columns.
 */

/** A top-level Parquet column: a name and the Connect schema of its values. */
export interface ParquetColumn {
  readonly name: string;
  readonly schema: Schema;
}

/** The flat schema-element list hyparquet-writer takes: the root, then each column depth-first. */
export function parquetSchema(columns: readonly ParquetColumn[]): SchemaElement[] {
  const out: SchemaElement[] = [{ name: 'root', num_children: columns.length }];
  for (const c of columns) elementsFor(c.name, c.schema, c.schema.optional ? 'OPTIONAL' : 'REQUIRED', out);
  return out;
}

function elementsFor(
  name: string,
  schema: Schema,
  repetition: 'OPTIONAL' | 'REQUIRED' | 'REPEATED',
  out: SchemaElement[],
): void {
  const base = { name, repetition_type: repetition } as const;
  switch (schema.name) {
    case Decimal.LOGICAL_NAME: {
      const precision = Number(schema.parameters?.['connect.decimal.precision'] ?? 38);
      out.push({ ...base, type: 'BYTE_ARRAY', converted_type: 'DECIMAL', scale: Decimal.scaleOf(schema), precision });
      return;
    }
    case DateLogical.LOGICAL_NAME:
      out.push({ ...base, type: 'INT32', converted_type: 'DATE' });
      return;
    case Time.LOGICAL_NAME:
      out.push({ ...base, type: 'INT32', converted_type: 'TIME_MILLIS' });
      return;
    case Timestamp.LOGICAL_NAME:
      out.push({ ...base, type: 'INT64', converted_type: 'TIMESTAMP_MILLIS' });
      return;
  }
  switch (schema.type) {
    case 'int8':
      out.push({ ...base, type: 'INT32', converted_type: 'INT_8' });
      return;
    case 'int16':
      out.push({ ...base, type: 'INT32', converted_type: 'INT_16' });
      return;
    case 'int32':
      out.push({ ...base, type: 'INT32' });
      return;
    case 'int64':
      out.push({ ...base, type: 'INT64' });
      return;
    case 'float32':
      out.push({ ...base, type: 'FLOAT' });
      return;
    case 'float64':
      out.push({ ...base, type: 'DOUBLE' });
      return;
    case 'boolean':
      out.push({ ...base, type: 'BOOLEAN' });
      return;
    case 'string':
      out.push({ ...base, type: 'BYTE_ARRAY', converted_type: 'UTF8' });
      return;
    case 'bytes':
      out.push({ ...base, type: 'BYTE_ARRAY' });
      return;
    case 'struct':
      if (schema.fields.length === 0) throw new DataError(`Parquet cannot store the empty struct "${name}"`);
      out.push({ ...base, num_children: schema.fields.length });
      for (const f of schema.fields) elementsFor(f.name, f.schema, f.schema.optional ? 'OPTIONAL' : 'REQUIRED', out);
      return;
    case 'array': {
      const element = schema.valueSchema as Schema;
      out.push({ ...base, converted_type: 'LIST', num_children: 1 });
      out.push({ name: 'list', repetition_type: 'REPEATED', num_children: 1 });
      elementsFor('element', element, element.optional ? 'OPTIONAL' : 'REQUIRED', out);
      return;
    }
    case 'map': {
      const value = schema.valueSchema as Schema;
      out.push({ ...base, converted_type: 'MAP', num_children: 1 });
      out.push({ name: 'key_value', repetition_type: 'REPEATED', num_children: 2 });
      elementsFor('key', schema.keySchema as Schema, 'REQUIRED', out);
      elementsFor('value', value, value.optional ? 'OPTIONAL' : 'REQUIRED', out);
      return;
    }
  }
}

/** A Connect value as hyparquet-writer takes it for a column of `schema`. The value must already be valid. */
export function toParquetValue(schema: Schema, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (schema.name) {
    case Decimal.LOGICAL_NAME:
      return Decimal.rescale(value as Parameters<typeof Decimal.rescale>[0], Decimal.scaleOf(schema)).unscaled;
    case Time.LOGICAL_NAME:
      return Time.fromLogical(schema, value as Date);
    case DateLogical.LOGICAL_NAME:
    case Timestamp.LOGICAL_NAME:
      return value;
  }
  switch (schema.type) {
    case 'int64':
      return BigInt(value as number | bigint);
    case 'struct': {
      if (!isStruct(value)) throw new DataError('expected a Struct for a struct schema');
      const out: Record<string, unknown> = {};
      for (const f of schema.fields) out[f.name] = toParquetValue(f.schema, value.get(f.name));
      return out;
    }
    case 'array':
      return (value as unknown[]).map((v) => toParquetValue(schema.valueSchema as Schema, v));
    case 'map': {
      const entries = value instanceof Map ? [...value.entries()] : Object.entries(value as Record<string, unknown>);
      return new Map(
        entries.map(([k, v]) => [
          toParquetValue(schema.keySchema as Schema, k),
          toParquetValue(schema.valueSchema as Schema, v),
        ]),
      );
    }
    default:
      return value;
  }
}

const utf8 = new TextDecoder();
const MS_PER_DAY = 86_400_000;

/**
 * A value read by hyparquet (decimal annotations stripped, so decimals arrive as their raw
 * bytes or integers; see `rawDecimalSchema`) as a Connect value of `schema`.
 */
export function fromParquetValue(schema: Schema, raw: unknown): unknown {
  if (raw === null || raw === undefined) return null;
  switch (schema.name) {
    case Decimal.LOGICAL_NAME: {
      const scale = Decimal.scaleOf(schema);
      if (raw instanceof Uint8Array) return raw.length === 0 ? { unscaled: 0n, scale } : Decimal.fromBytes(raw, scale);
      if (typeof raw === 'number' || typeof raw === 'bigint') return Object.freeze({ unscaled: BigInt(raw), scale });
      if (isDecimalValue(raw)) return raw;
      throw new DataError('unexpected Parquet value for a Decimal column');
    }
    case DateLogical.LOGICAL_NAME:
      return raw instanceof Date ? raw : new Date(Number(raw) * MS_PER_DAY);
    case Time.LOGICAL_NAME:
      return raw instanceof Date ? raw : new Date(typeof raw === 'bigint' ? Number(raw / 1000n) : Number(raw));
    case Timestamp.LOGICAL_NAME:
      return raw instanceof Date ? raw : new Date(Number(raw));
  }
  switch (schema.type) {
    case 'int64': {
      const n = typeof raw === 'bigint' ? raw : BigInt(raw as number);
      return Number.isSafeInteger(Number(n)) ? Number(n) : n;
    }
    case 'int8':
    case 'int16':
    case 'int32':
    case 'float32':
    case 'float64':
      return Number(raw);
    case 'string':
      return raw instanceof Uint8Array ? utf8.decode(raw) : String(raw);
    case 'bytes':
      return raw instanceof Uint8Array ? raw : new TextEncoder().encode(String(raw));
    case 'struct': {
      const struct = new Struct(schema);
      const obj = raw as Record<string, unknown>;
      for (const f of schema.fields) struct.put(f.name, fromParquetValue(f.schema, obj[f.name]));
      return struct;
    }
    case 'array':
      return (raw as unknown[]).map((v) => fromParquetValue(schema.valueSchema as Schema, v));
    case 'map': {
      const entries = raw instanceof Map ? [...raw.entries()] : Object.entries(raw as Record<string, unknown>);
      return new Map(
        entries.map(([k, v]) => [
          mapKey(schema.keySchema as Schema, k),
          fromParquetValue(schema.valueSchema as Schema, v),
        ]),
      );
    }
    default:
      return raw;
  }
}

// hyparquet assembles maps into objects, so keys arrive as strings.
function mapKey(schema: Schema, k: unknown): unknown {
  if (typeof k !== 'string') return fromParquetValue(schema, k);
  switch (schema.type) {
    case 'int8':
    case 'int16':
    case 'int32':
    case 'float32':
    case 'float64':
      return Number(k);
    case 'int64':
      return fromParquetValue(schema, BigInt(k));
    case 'boolean':
      return k === 'true';
    default:
      return k;
  }
}

/**
 * A copy of a file's schema elements without DECIMAL annotations, so hyparquet hands decimals over
 * as exact bytes/integers instead of converting them to floating point.
 */
export function rawDecimalSchema(elements: readonly SchemaElement[]): SchemaElement[] {
  return elements.map((e) => {
    if (e.converted_type !== 'DECIMAL' && e.logical_type?.type !== 'DECIMAL') return e;
    const { converted_type: _c, logical_type: _l, ...rest } = e;
    return rest;
  });
}

/**
 * Derives Connect columns from a Parquet schema written by another tool: primitive and logical
 * types as the reverse of `parquetSchema` (plus INT96 and TIMESTAMP_MICROS → Timestamp, ENUM/JSON →
 * string, FIXED_LEN_BYTE_ARRAY → bytes, unannotated repeated fields → arrays).
 */
export function connectColumns(elements: readonly SchemaElement[]): ParquetColumn[] {
  const root = elements[0];
  if (root === undefined) throw new DataError('Parquet file without a schema');
  let i = 1;
  const read = (): ParquetColumn => {
    const e = elements[i++];
    if (e === undefined) throw new DataError('truncated Parquet schema');
    let schema: Schema;
    if (e.num_children === undefined || e.num_children === 0) schema = leafSchema(e);
    else {
      const children: ParquetColumn[] = [];
      for (let c = 0; c < e.num_children; c++) children.push(read());
      schema = groupSchema(e, children);
    }
    if (e.repetition_type === 'REPEATED') schema = SchemaBuilder.array(schema).optional().build();
    else if (e.repetition_type !== 'REQUIRED') schema = optional(schema);
    return { name: e.name, schema };
  };
  const columns: ParquetColumn[] = [];
  for (let c = 0; c < (root.num_children ?? 0); c++) columns.push(read());
  return columns;
}

function leafSchema(e: SchemaElement): Schema {
  const c = e.converted_type;
  const l = e.logical_type?.type;
  if (c === 'DECIMAL' || l === 'DECIMAL') return Decimal.schema(e.scale ?? 0);
  switch (e.type) {
    case 'BOOLEAN':
      return SchemaBuilder.bool().build();
    case 'INT32':
      if (c === 'DATE' || l === 'DATE') return DateLogical.schema();
      if (c === 'TIME_MILLIS') return Time.schema();
      if (c === 'INT_8') return SchemaBuilder.int8().build();
      if (c === 'INT_16') return SchemaBuilder.int16().build();
      return SchemaBuilder.int32().build();
    case 'INT64':
      if (c === 'TIMESTAMP_MILLIS' || c === 'TIMESTAMP_MICROS' || l === 'TIMESTAMP') return Timestamp.schema();
      return SchemaBuilder.int64().build();
    case 'INT96':
      return Timestamp.schema();
    case 'FLOAT':
      return SchemaBuilder.float32().build();
    case 'DOUBLE':
      return SchemaBuilder.float64().build();
    case 'BYTE_ARRAY':
      if (c === 'UTF8' || c === 'JSON' || c === 'ENUM' || l === 'STRING' || l === 'JSON' || l === 'ENUM')
        return SchemaBuilder.string().build();
      return SchemaBuilder.bytes().build();
    default:
      return SchemaBuilder.bytes().build();
  }
}

function groupSchema(e: SchemaElement, children: ParquetColumn[]): Schema {
  const annotation = e.converted_type ?? e.logical_type?.type;
  const [first] = children;
  if (
    (annotation === 'LIST' || annotation === 'MAP' || annotation === 'MAP_KEY_VALUE') &&
    first !== undefined &&
    children.length === 1
  ) {
    // The repeated child was already turned into an array of its (group) contents.
    const repeated = first.schema.type === 'array' ? (first.schema.valueSchema as Schema) : first.schema;
    if (annotation === 'LIST') {
      const element =
        repeated.type === 'struct' && repeated.fields.length === 1 ? (repeated.fields[0]?.schema as Schema) : repeated;
      return SchemaBuilder.array(element).build();
    }
    const key = repeated.field('key')?.schema;
    const value = repeated.field('value')?.schema;
    if (key !== undefined && value !== undefined) return SchemaBuilder.map(required(key), value).build();
  }
  const b = SchemaBuilder.struct();
  for (const c of children) b.field(c.name, c.schema);
  return b.build();
}

function rebuild(s: Schema): SchemaBuilder {
  const b =
    s.type === 'array'
      ? SchemaBuilder.array(s.valueSchema as Schema)
      : s.type === 'map'
        ? SchemaBuilder.map(s.keySchema as Schema, s.valueSchema as Schema)
        : SchemaBuilder.type(s.type);
  for (const f of s.fields) b.field(f.name, f.schema);
  if (s.name !== undefined) b.name(s.name);
  if (s.version !== undefined) b.version(s.version);
  if (s.doc !== undefined) b.doc(s.doc);
  if (s.parameters !== undefined) b.parameters(s.parameters);
  if (s.defaultValue !== undefined) b.defaultValue(s.defaultValue);
  return b;
}

/** The same schema, optional. */
export function optional(s: Schema): Schema {
  return s.optional ? s : rebuild(s).optional().build();
}

/** The same schema, required. */
export function required(s: Schema): Schema {
  return s.optional ? rebuild(s).build() : s;
}
