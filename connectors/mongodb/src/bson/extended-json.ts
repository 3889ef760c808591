import { BSON, type Document } from 'mongodb';

const { EJSON } = BSON;
import { bsonTypeOf, isDocument } from './bson-value.js';

/**
 * How documents are rendered as JSON text:
 * - `relaxed`: MongoDB relaxed Extended JSON v2 (numbers as JSON numbers, dates as ISO strings,
 *   ObjectIds as `{"$oid": …}`); readable and still type-tagged where JSON has no type.
 * - `canonical`: canonical Extended JSON v2; every number keeps its BSON type (`{"$numberLong": …}`),
 *   so a reader can rebuild the exact document.
 * - `simplified`: relaxed, but ObjectIds as hex strings, dates as ISO-8601 strings, Decimal128 as
 *   decimal strings and binary as base64 strings (the official connector's `SimplifiedJson`).
 */
export type JsonFormatter = 'relaxed' | 'canonical' | 'simplified';

const FORMATTER_ALIASES: Readonly<Record<string, JsonFormatter>> = Object.freeze({
  relaxed: 'relaxed',
  canonical: 'canonical',
  simplified: 'simplified',
  // The official connector's class names, so its configs keep working. Its legacy "strict" mode has
  // no equivalent in the Node BSON library; relaxed Extended JSON is the closest (see README).
  'com.mongodb.kafka.connect.source.json.formatter.DefaultJson': 'relaxed',
  'com.mongodb.kafka.connect.source.json.formatter.ExtendedJson': 'canonical',
  'com.mongodb.kafka.connect.source.json.formatter.SimplifiedJson': 'simplified',
});

/** Every accepted `output.json.formatter` value (short names and the official class names). */
export const JSON_FORMATTER_VALUES: readonly string[] = Object.freeze(Object.keys(FORMATTER_ALIASES));

/** The formatter named by an `output.json.formatter` value, or undefined when unknown. */
export function jsonFormatterFor(value: string): JsonFormatter | undefined {
  return FORMATTER_ALIASES[value];
}

/** Renders a document (or any BSON value) as JSON text in the given style. Does not modify `doc`. */
export function formatJson(doc: unknown, formatter: JsonFormatter): string {
  switch (formatter) {
    case 'canonical':
      return EJSON.stringify(doc as Document, { relaxed: false });
    case 'relaxed':
      return EJSON.stringify(doc as Document, { relaxed: true });
    case 'simplified':
      return EJSON.stringify(simplify(doc) as Document, { relaxed: true });
  }
}

/** Replaces the BSON types that `simplified` renders as plain strings; returns a new value. */
function simplify(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(simplify);
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  switch (bsonTypeOf(v)) {
    case 'ObjectId':
      return (v as { toHexString(): string }).toHexString();
    case 'Decimal128':
    case 'BSONSymbol':
      return String(v);
    case 'Binary':
      return Buffer.from((v as { buffer: Uint8Array }).buffer).toString('base64');
    case undefined:
      break;
    default:
      return v;
  }
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (isDocument(v)) {
    const out: Document = {};
    for (const [k, child] of Object.entries(v)) out[k] = simplify(child);
    return out;
  }
  return v;
}
