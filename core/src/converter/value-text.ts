import { DataError } from '../errors/connect-error.js';
import { DateLogical, Decimal, isDecimalValue, Time, Timestamp } from '../data/logical.js';
import type { Schema } from '../data/schema.js';
import { Schemas } from '../data/schema-builder.js';
import { isStruct } from '../data/struct.js';
import { isPlainObject, mapEntries } from '../data/values.js';
import { javaDoubleToString, javaFloatToString } from './java-number.js';

const MS_PER_DAY = 86_400_000;

/**
 * Renders a Connect value as text the way Kafka Connect's `Values.convertToString` does: strings as
 * is at the top level and quoted (with `\` and `"` escaped) inside arrays, maps and structs; numbers
 * as Java prints them; bytes as base64; Decimals as `BigDecimal.toString`; dates as ISO-8601 UTC
 * (`yyyy-MM-dd`, `HH:mm:ss.SSSZ` or `yyyy-MM-ddTHH:mm:ss.SSSZ`, by logical type when the schema says,
 * else by value as Kafka does); arrays `[a,b]`; maps and structs `{"k":v}`; null `null`.
 */
export function valueToText(schema: Schema | null, value: unknown, embedded = false): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return embedded ? `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : value;
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') {
    if (schema?.type === 'float32') return javaFloatToString(value);
    if (schema?.type === 'float64' || !Number.isInteger(value)) return javaDoubleToString(value);
    return Number.isSafeInteger(value) ? String(value) : BigInt(value).toString();
  }
  if (value instanceof Uint8Array) {
    const b64 = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
    return embedded ? `"${b64}"` : b64;
  }
  if (value instanceof Date) return formatDate(schema, value);
  if (isDecimalValue(value)) return Decimal.toJavaString(value);
  if (isStruct(value)) {
    const parts = value.schema.fields.map((f) => `${valueToText(null, f.name, true)}:${valueToText(f.schema, value.get(f.name), true)}`);
    return `{${parts.join(',')}}`;
  }
  if (Array.isArray(value)) return `[${value.map((v) => valueToText(schema?.valueSchema ?? null, v, true)).join(',')}]`;
  if (value instanceof Map || isPlainObject(value)) {
    const parts = [...mapEntries(value)].map(
      ([k, v]) => `${valueToText(schema?.keySchema ?? null, k, true)}:${valueToText(schema?.valueSchema ?? null, v, true)}`,
    );
    return `{${parts.join(',')}}`;
  }
  throw new DataError(`Failed to serialize unexpected value type ${typeof value}`);
}

function formatDate(schema: Schema | null, d: Date): string {
  const ms = d.getTime();
  if (Number.isNaN(ms)) throw new DataError('Cannot render an invalid Date');
  const iso = d.toISOString(); // yyyy-MM-ddTHH:mm:ss.SSSZ
  const kind =
    schema?.name === DateLogical.LOGICAL_NAME ? 'date'
    : schema?.name === Time.LOGICAL_NAME ? 'time'
    : schema?.name === Timestamp.LOGICAL_NAME ? 'timestamp'
    : ms >= 0 && ms < MS_PER_DAY ? 'time'
    : ms % MS_PER_DAY === 0 ? 'date'
    : 'timestamp';
  if (kind === 'date') return iso.slice(0, 10);
  if (kind === 'time') return iso.slice(11);
  return iso;
}

/** A parsed text value; `schema` null means the value has no single schema (or is null). */
export interface ParsedText {
  readonly schema: Schema | null;
  readonly value: unknown;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_RE = /^(\d{2}):(\d{2}):(\d{2})\.(\d{3})Z$/;
const TIMESTAMP_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})Z$/;
const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Parses `yyyy-MM-dd`, `HH:mm:ss.SSSZ` or `yyyy-MM-ddTHH:mm:ss.SSSZ` (UTC) into a logical value. */
export function parseTemporal(token: string): ParsedText | undefined {
  let m = TIMESTAMP_RE.exec(token);
  if (m !== null) {
    const ms = utc(m[1], m[2], m[3], m[4], m[5], m[6], m[7]);
    return ms === undefined ? undefined : { schema: Timestamp.schema(), value: new Date(ms) };
  }
  m = DATE_RE.exec(token);
  if (m !== null) {
    const ms = utc(m[1], m[2], m[3], '0', '0', '0', '0');
    return ms === undefined ? undefined : { schema: DateLogical.schema(), value: new Date(ms) };
  }
  m = TIME_RE.exec(token);
  if (m !== null) {
    const ms = utc('1970', '01', '01', m[1], m[2], m[3], m[4]);
    return ms === undefined ? undefined : { schema: Time.schema(), value: new Date(ms) };
  }
  return undefined;
}

function utc(...parts: (string | undefined)[]): number | undefined {
  const [y, mo, d, h, mi, s, ms] = parts.map(Number) as [number, number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return undefined;
  const t = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  // Reject dates that Date.UTC silently rolls over (e.g. 2023-02-30).
  return new Date(t).getUTCDate() === d ? t : undefined;
}

/**
 * Classifies a number literal as Kafka Connect does: integral values get the smallest of
 * INT8/INT16/INT32/INT64 that holds them; integers beyond int64 become a Decimal of scale 0; other
 * values become FLOAT64. Returns undefined when `token` is not a number.
 */
export function parseNumber(token: string): ParsedText | undefined {
  if (!NUMBER_RE.test(token) || token.startsWith('.')) return undefined;
  const dec = Decimal.fromString(token);
  let integral: bigint | undefined;
  if (dec.scale <= 0) integral = dec.unscaled * 10n ** BigInt(-dec.scale);
  else if (dec.unscaled % 10n ** BigInt(dec.scale) === 0n) integral = dec.unscaled / 10n ** BigInt(dec.scale);
  if (integral !== undefined) {
    for (const [type, bits] of [['int8', 8n], ['int16', 16n], ['int32', 32n], ['int64', 64n]] as const) {
      const max = 2n ** (bits - 1n) - 1n;
      if (integral >= -max - 1n && integral <= max) {
        const value = type === 'int64' && (integral > BigInt(Number.MAX_SAFE_INTEGER) || integral < BigInt(Number.MIN_SAFE_INTEGER)) ? integral : Number(integral);
        return { schema: schemaOf(type), value };
      }
    }
    if (dec.scale === 0) return { schema: Decimal.schema(0), value: dec };
  }
  const n = Number(token);
  if (Number.isFinite(n)) return { schema: schemaOf('float64'), value: n };
  return { schema: Decimal.schema(dec.scale), value: dec };
}

function schemaOf(type: 'int8' | 'int16' | 'int32' | 'int64' | 'float64'): Schema {
  return type === 'float64' ? Schemas.FLOAT64 : Schemas[type.toUpperCase() as 'INT8' | 'INT16' | 'INT32' | 'INT64'];
}
