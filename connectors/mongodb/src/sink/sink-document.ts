import {
  DataError,
  DateLogical,
  Decimal,
  Time,
  Timestamp,
  isDecimalValue,
  isStruct,
  type Schema,
  type SinkRecord,
  type Struct,
} from '@sluice/core';
import { BSON, Binary, Decimal128, Double, Int32, Long, type Document } from 'mongodb';
import { bsonTypeOf, isDocument } from '../bson/bson-value.js';
import { formatDecimalText } from '../bson/decimal-text.js';

const { EJSON } = BSON;

/**
 * A record's key and value as BSON. `keyDoc`/`valueDoc` are null when absent (a tombstone has a null
 * value). A key that is not a document (a plain string or number) has `keyDoc` null and its BSON
 * value in `keyValue`.
 */
export interface SinkDocument {
  readonly keyDoc: Document | null;
  readonly keyValue: unknown;
  readonly valueDoc: Document | null;
}

/**
 * Converts a record for writing: Structs (by their schema: int64 → Long, float → Double, Decimal →
 * Decimal128, Date/Time/Timestamp → date, bytes → Binary), maps and plain objects, JSON text
 * (relaxed Extended JSON, so `{"$oid": …}` and `{"$date": …}` keep their types, and Kafka Connect's
 * `{schema, payload}` envelope is unwrapped) and BSON bytes. Does not modify the record.
 * @throws DataError when the value is not a document (e.g. a number, or text that is not a JSON object).
 */
export function toSinkDocument(record: SinkRecord): SinkDocument {
  const valueDoc = record.value === null || record.value === undefined ? null : asDocument(record.value, record.valueSchema, 'value');
  let keyDoc: Document | null = null;
  let keyValue: unknown = null;
  if (record.key !== null && record.key !== undefined) {
    const converted = toBson(record.key, record.keySchema, 'key', true);
    if (isDocument(converted)) keyDoc = converted;
    else keyValue = converted;
  }
  return { keyDoc, keyValue, valueDoc };
}

function asDocument(v: unknown, schema: Schema | null, what: 'key' | 'value'): Document {
  const converted = toBson(v, schema, what, false);
  if (!isDocument(converted)) throw new DataError(`the record ${what} is not a document (got ${describe(v)}); the MongoDB sink writes documents`);
  return converted;
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Uint8Array) return 'bytes';
  return typeof v;
}

// Text or bytes that hold a document; primitives are returned as-is when `lenient` (keys).
function toBson(v: unknown, schema: Schema | null, what: string, lenient: boolean): unknown {
  if (typeof v === 'string') {
    const trimmed = v.trim();
    if (trimmed.startsWith('{')) {
      try {
        return unwrapEnvelope(EJSON.parse(trimmed, { relaxed: true }) as Document);
      } catch (err) {
        if (!lenient) throw new DataError(`the record ${what} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
    }
    if (lenient) return v;
    throw new DataError(`the record ${what} is a string that is not a JSON object`);
  }
  if (v instanceof Uint8Array && (schema === null || schema.type === 'bytes') && schema?.name !== Decimal.LOGICAL_NAME) {
    try {
      return BSON.deserialize(v);
    } catch {
      const text = Buffer.from(v).toString('utf8');
      return toBson(text, null, what, lenient);
    }
  }
  return convert(v, schema);
}

// Kafka Connect's JsonConverter envelope arriving as text (schemas.enable=true read by StringConverter).
function unwrapEnvelope(doc: Document): Document {
  const keys = Object.keys(doc);
  if (keys.length === 2 && keys.includes('schema') && keys.includes('payload') && isDocument(doc['payload'])) return doc['payload'];
  return doc;
}

/** Converts a Connect value (with its schema when known) to the BSON value the driver writes. */
export function convert(v: unknown, schema: Schema | null | undefined): unknown {
  if (v === null || v === undefined) return null;
  if (isStruct(v)) return structToDocument(v);
  if (schema !== null && schema !== undefined) {
    switch (schema.name) {
      case Decimal.LOGICAL_NAME:
        return isDecimalValue(v) ? Decimal128.fromString(formatDecimalText(v)) : convert(v, null);
      case Timestamp.LOGICAL_NAME:
      case DateLogical.LOGICAL_NAME:
      case Time.LOGICAL_NAME:
        return v instanceof Date ? v : convert(v, null);
    }
    switch (schema.type) {
      case 'int8':
      case 'int16':
      case 'int32':
        return typeof v === 'number' ? new Int32(v) : convert(v, null);
      case 'int64':
        return typeof v === 'bigint' ? Long.fromBigInt(v) : typeof v === 'number' ? Long.fromNumber(v) : convert(v, null);
      case 'float32':
      case 'float64':
        return typeof v === 'number' ? new Double(v) : convert(v, null);
      case 'array':
        return Array.isArray(v) ? v.map((x) => convert(x, schema.valueSchema)) : convert(v, null);
      case 'map': {
        const out: Document = {};
        const entries = v instanceof Map ? [...v.entries()] : isDocument(v) ? Object.entries(v) : null;
        if (entries === null) return convert(v, null);
        for (const [k, x] of entries) out[String(k)] = convert(x, schema.valueSchema);
        return out;
      }
    }
  }
  if (typeof v === 'bigint') return Long.fromBigInt(v);
  if (v instanceof Date || typeof v !== 'object') return v;
  if (bsonTypeOf(v) !== undefined) return v;
  if (v instanceof Uint8Array) return new Binary(v);
  if (isDecimalValue(v) && Object.keys(v).length === 2) return Decimal128.fromString(formatDecimalText(v));
  if (Array.isArray(v)) return v.map((x) => convert(x, null));
  const out: Document = {};
  const entries = v instanceof Map ? [...v.entries()] : Object.entries(v);
  for (const [k, x] of entries) out[String(k)] = convert(x, null);
  return out;
}

function structToDocument(s: Struct): Document {
  const out: Document = {};
  for (const field of s.schema.fields) out[field.name] = convert(s.getWithoutDefault(field.name) ?? s.get(field.name), field.schema);
  return out;
}
