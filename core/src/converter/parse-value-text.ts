import { DataError } from '../errors/connect-error.js';
import type { Schema, SchemaType } from '../data/schema.js';
import { SchemaBuilder, schemaEquals, Schemas } from '../data/schema-builder.js';
import { asOptional } from '../data/values.js';
import { type ParsedText, parseNumber, parseTemporal } from './value-text.js';

const NUMERIC_RANK: Partial<Record<SchemaType, number>> = { int8: 1, int16: 2, int32: 3, int64: 4, float32: 5, float64: 6 };
const TEMPORAL_AT = /(?:\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z|\d{2}:\d{2}:\d{2}\.\d{3}Z|\d{4}-\d{2}-\d{2})(?=\s*(?:[,\]}:]|$))/y;
const NULL_PARSED: ParsedText = Object.freeze({ schema: null, value: null });

/**
 * Infers a schema and value from header text, like Kafka Connect's `Values.parseString`:
 * `''` → STRING; `null`; `true`/`false` → BOOLEAN; ISO dates/times/timestamps → Date/Time/Timestamp;
 * numbers → the smallest integer type that holds them, else FLOAT64 (or Decimal beyond those);
 * `[…]` → ARRAY and `{k:v,…}` → MAP when every element parses (quoted strings, numbers, booleans,
 * null, nested arrays/maps) and shares one schema; anything else → STRING of the original text.
 *
 * Where this is simpler or stricter than Kafka Connect: non-integral numbers become FLOAT64 rather
 * than FLOAT32 (Kafka narrows to float and loses precision); escapes in quoted strings are decoded;
 * arrays and maps whose elements do not share one schema — or that are empty or all null — get a
 * null schema instead of a guessed one; elements must be separated by exactly one comma.
 */
export function parseValueText(text: string): ParsedText {
  if (text === '') return { schema: Schemas.STRING, value: '' };
  const trimmed = text.trim();
  if (trimmed === '') return { schema: Schemas.STRING, value: text };
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    try {
      const p = new TextParser(text);
      const parsed = p.value();
      if (p.atEnd()) return parsed;
    } catch (err) {
      if (!DataError.is(err)) throw err;
      // not a well-formed array/map: it is a plain string
    }
  }
  if (trimmed === 'null') return NULL_PARSED;
  if (trimmed === 'true' || trimmed === 'false') return { schema: Schemas.BOOLEAN, value: trimmed === 'true' };
  return parseTemporal(trimmed) ?? parseNumber(trimmed) ?? { schema: Schemas.STRING, value: text };
}

class TextParser {
  #pos = 0;
  constructor(private readonly text: string) {}

  atEnd(): boolean {
    this.#ws();
    return this.#pos >= this.text.length;
  }

  value(depth = 0): ParsedText {
    if (depth > 100) throw new DataError('Nesting too deep');
    this.#ws();
    const c = this.text[this.#pos];
    if (c === '[') return this.#array(depth);
    if (c === '{') return this.#map(depth);
    if (c === '"') return this.#quoted();
    return this.#scalar();
  }

  #array(depth: number): ParsedText {
    this.#pos++;
    const values: unknown[] = [];
    const schemas = new CommonSchema();
    if (this.#take(']')) return { schema: null, value: values };
    do {
      const v = this.value(depth + 1);
      schemas.add(v.schema);
      values.push(v.value);
    } while (this.#take(','));
    if (!this.#take(']')) throw new DataError("Array is missing terminating ']'");
    const elem = schemas.result();
    return { schema: elem === null ? null : SchemaBuilder.array(elem).build(), value: align(elem, values) };
  }

  #map(depth: number): ParsedText {
    this.#pos++;
    const entries: [unknown, unknown][] = [];
    const keys = new CommonSchema();
    const vals = new CommonSchema();
    if (this.#take('}')) return { schema: null, value: new Map() };
    do {
      const k = this.value(depth + 1);
      if (k.value === null) throw new DataError('Map entry may not have a null key');
      if (!this.#take(':')) throw new DataError("Map entry is missing ':'");
      const v = this.value(depth + 1);
      keys.add(k.schema);
      vals.add(v.schema);
      entries.push([k.value, v.value]);
    } while (this.#take(','));
    if (!this.#take('}')) throw new DataError("Map is missing terminating '}'");
    const ks = keys.result();
    const vs = vals.result();
    const schema = ks === null || vs === null ? null : SchemaBuilder.map(ks, vs).build();
    const aligned = align(ks, entries.map(([k]) => k));
    const alignedValues = align(vs, entries.map(([, v]) => v));
    return { schema, value: new Map(aligned.map((k, i) => [k, alignedValues[i]])) };
  }

  #quoted(): ParsedText {
    this.#pos++;
    let out = '';
    for (;;) {
      const c = this.text[this.#pos++];
      if (c === undefined) throw new DataError('Unterminated quoted string');
      if (c === '"') break;
      if (c === '\\') {
        const next = this.text[this.#pos++];
        if (next === undefined) throw new DataError('Unterminated quoted string');
        out += next;
      } else out += c;
    }
    // Quoted dates stay temporal (as in Kafka Connect); every other quoted text is a string.
    return parseTemporal(out) ?? { schema: Schemas.STRING, value: out };
  }

  #scalar(): ParsedText {
    TEMPORAL_AT.lastIndex = this.#pos;
    const m = TEMPORAL_AT.exec(this.text);
    if (m !== null) {
      const t = parseTemporal(m[0]);
      if (t !== undefined) {
        this.#pos += m[0].length;
        return t;
      }
    }
    const start = this.#pos;
    while (this.#pos < this.text.length && !',]}:'.includes(this.text[this.#pos] as string)) this.#pos++;
    const token = this.text.slice(start, this.#pos).trim();
    if (token === 'null') return NULL_PARSED;
    if (token === 'true' || token === 'false') return { schema: Schemas.BOOLEAN, value: token === 'true' };
    const n = parseNumber(token);
    if (n === undefined) throw new DataError('Failed to parse embedded value');
    return n;
  }

  #ws(): void {
    while (this.#pos < this.text.length && /\s/.test(this.text[this.#pos] as string)) this.#pos++;
  }

  #take(ch: string): boolean {
    this.#ws();
    if (this.text[this.#pos] !== ch) return false;
    this.#pos++;
    return true;
  }
}

/** The schema shared by a sequence of element schemas (numbers widen, recursively), or null when none fits. */
class CommonSchema {
  #schema: Schema | undefined;
  #incompatible = false;
  #sawNull = false;

  add(s: Schema | null): void {
    if (s === null) {
      this.#sawNull = true;
      return;
    }
    if (this.#incompatible) return;
    const merged = this.#schema === undefined ? s : mergeSchemas(this.#schema, s);
    if (merged === null) this.#incompatible = true;
    else this.#schema = merged;
  }

  result(): Schema | null {
    if (this.#incompatible || this.#schema === undefined) return null;
    return this.#sawNull ? asOptional(this.#schema) : this.#schema;
  }
}

function mergeSchemas(a: Schema, b: Schema): Schema | null {
  const ra = a.name === undefined ? NUMERIC_RANK[a.type] : undefined;
  const rb = b.name === undefined ? NUMERIC_RANK[b.type] : undefined;
  let merged: Schema | null;
  if (ra !== undefined && rb !== undefined) merged = rb > ra ? b : a;
  else if (a.type === 'array' && b.type === 'array' && a.name === undefined && b.name === undefined) {
    const elem = mergeSchemas(a.valueSchema as Schema, b.valueSchema as Schema);
    merged = elem === null ? null : SchemaBuilder.array(elem).build();
  } else if (a.type === 'map' && b.type === 'map' && a.name === undefined && b.name === undefined) {
    const k = mergeSchemas(a.keySchema as Schema, b.keySchema as Schema);
    const v = mergeSchemas(a.valueSchema as Schema, b.valueSchema as Schema);
    merged = k === null || v === null ? null : SchemaBuilder.map(k, v).build();
  } else merged = schemaEquals(asOptional(a), asOptional(b)) ? a : null;
  return merged !== null && (a.optional || b.optional) ? asOptional(merged) : merged;
}

// After widening, int64 values held as bigint must become numbers wherever a float type was chosen.
function align(schema: Schema | null, values: unknown[]): unknown[] {
  return schema === null ? values : values.map((v) => alignValue(schema, v));
}

function alignValue(schema: Schema, v: unknown): unknown {
  if (typeof v === 'bigint' && (schema.type === 'float32' || schema.type === 'float64')) return Number(v);
  if (schema.type === 'array' && Array.isArray(v)) return align(schema.valueSchema as Schema, v);
  if (schema.type === 'map' && v instanceof Map) {
    return new Map([...v].map(([k, x]) => [alignValue(schema.keySchema as Schema, k), alignValue(schema.valueSchema as Schema, x)]));
  }
  return v;
}
