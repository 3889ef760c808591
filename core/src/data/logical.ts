import { DataError } from '../errors/connect-error.js';
import type { Schema } from './schema.js';
import { SchemaBuilder } from './schema-builder.js';

/**
 * A decimal number as Kafka Connect's `BigDecimal`: `unscaled × 10^-scale`. `scale` may be negative.
 * Values are compared structurally, so `{unscaled: 1230n, scale: 2}` and `{unscaled: 123n, scale: 1}`
 * are different values (as in Java, where the scale is part of the value).
 */
export interface DecimalValue {
  readonly unscaled: bigint;
  readonly scale: number;
}

const MS_PER_DAY = 86_400_000;

/** True when `v` has the shape of a `DecimalValue`. */
export function isDecimalValue(v: unknown): v is DecimalValue {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as DecimalValue).unscaled === 'bigint' &&
    Number.isInteger((v as DecimalValue).scale)
  );
}

function requireLogical(schema: Schema, name: string, what: string): void {
  if (schema.name !== name) throw new DataError(`Requested conversion of ${what} object but the schema does not match.`);
}

function decimalScale(schema: Schema): number {
  const raw = schema.parameters?.['scale'];
  const scale = raw === undefined ? NaN : Number(raw);
  if (!Number.isInteger(scale)) throw new DataError(`Invalid Decimal schema: missing or invalid "scale" parameter (${String(raw)})`);
  return scale;
}

/**
 * `org.apache.kafka.connect.data.Decimal`: BYTES holding the big-endian two's-complement unscaled
 * value, with the scale in the `scale` parameter. In-memory value: `DecimalValue`.
 */
export const Decimal = Object.freeze({
  LOGICAL_NAME: 'org.apache.kafka.connect.data.Decimal',
  SCALE_FIELD: 'scale',

  /** A builder preset for a Decimal of `scale` (add `.optional()` etc. before building). */
  builder(scale: number): SchemaBuilder {
    if (!Number.isInteger(scale)) throw new DataError(`Decimal scale must be an integer, got ${scale}`);
    return SchemaBuilder.bytes().name(Decimal.LOGICAL_NAME).parameter(Decimal.SCALE_FIELD, String(scale)).version(1);
  },
  schema(scale: number): Schema {
    return Decimal.builder(scale).build();
  },
  /** The scale declared by a Decimal schema. */
  scaleOf(schema: Schema): number {
    requireLogical(schema, Decimal.LOGICAL_NAME, 'Decimal');
    return decimalScale(schema);
  },
  /** Wire bytes → value, using the schema's scale. */
  toLogical(schema: Schema, raw: Uint8Array): DecimalValue {
    requireLogical(schema, Decimal.LOGICAL_NAME, 'Decimal');
    return Decimal.fromBytes(raw, decimalScale(schema));
  },
  /** Value → wire bytes. Throws DataError when the value's scale differs from the schema's. */
  fromLogical(schema: Schema, value: DecimalValue): Uint8Array {
    requireLogical(schema, Decimal.LOGICAL_NAME, 'Decimal');
    const scale = decimalScale(schema);
    if (!isDecimalValue(value)) throw new DataError('Invalid type for Decimal, expected { unscaled: bigint, scale: number }');
    if (value.scale !== scale) {
      throw new DataError(`Decimal has mismatching scale value for given Decimal schema (value scale ${value.scale}, schema scale ${scale})`);
    }
    return Decimal.toBytes(value);
  },
  /**
   * Parses `'12.34'`, `'-0.5'`, `'1e3'`, `'1.5E-7'` keeping the written scale (as `new BigDecimal(s)`):
   * `'12.340'` has scale 3, `'1e3'` has scale -3.
   */
  fromString(text: string): DecimalValue {
    const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
    const intPart = m?.[2] ?? '';
    const fracPart = m?.[3] ?? '';
    if (m === null || intPart.length + fracPart.length === 0) throw new DataError(`Not a decimal number: "${text}"`);
    const exponent = m[4] === undefined ? 0 : Number(m[4]);
    const unscaled = BigInt(intPart + fracPart) * (m[1] === '-' ? -1n : 1n);
    return Object.freeze({ unscaled, scale: fracPart.length - exponent });
  },
  /** Plain notation (Java's `toPlainString`): `{123n, 2}` → `'1.23'`, `{5n, -2}` → `'500'`. */
  toString(v: DecimalValue): string {
    const neg = v.unscaled < 0n;
    const digits = (neg ? -v.unscaled : v.unscaled).toString();
    let out: string;
    if (v.scale <= 0) out = v.unscaled === 0n ? '0' : digits + '0'.repeat(-v.scale);
    else if (digits.length > v.scale) out = `${digits.slice(0, digits.length - v.scale)}.${digits.slice(digits.length - v.scale)}`;
    else out = `0.${'0'.repeat(v.scale - digits.length)}${digits}`;
    return neg ? `-${out}` : out;
  },
  /**
   * Java's `BigDecimal.toString()` (scientific notation when the exponent is small or the scale
   * negative), which is how Jackson writes decimals as JSON numbers: `{1n, -3}` → `'1E+3'`,
   * `{1n, 10}` → `'1E-10'`, `{123n, 2}` → `'1.23'`.
   */
  toJavaString(v: DecimalValue): string {
    const neg = v.unscaled < 0n;
    const digits = (neg ? -v.unscaled : v.unscaled).toString();
    const adjusted = -v.scale + (digits.length - 1);
    if (v.scale >= 0 && adjusted >= -6) return Decimal.toString(v);
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${neg ? '-' : ''}${mantissa}E${adjusted >= 0 ? '+' : ''}${adjusted}`;
  },
  /** Minimal big-endian two's complement of the unscaled value (Java's `BigInteger.toByteArray`). */
  toBytes(v: DecimalValue): Uint8Array {
    let n = v.unscaled;
    const out: number[] = [];
    // Emit bytes until the remaining value is pure sign extension of the last byte's top bit.
    for (;;) {
      const byte = Number(n & 0xffn);
      out.push(byte);
      n >>= 8n;
      if ((n === 0n && (byte & 0x80) === 0) || (n === -1n && (byte & 0x80) !== 0)) break;
    }
    return Uint8Array.from(out.reverse());
  },
  /** Inverse of `toBytes`. Throws DataError on empty input. */
  fromBytes(bytes: Uint8Array, scale: number): DecimalValue {
    if (bytes.length === 0) throw new DataError('Invalid Decimal bytes: zero length');
    let n = 0n;
    for (const b of bytes) n = (n << 8n) | BigInt(b);
    if ((bytes[0] ?? 0) & 0x80) n -= 1n << BigInt(bytes.length * 8);
    return Object.freeze({ unscaled: n, scale });
  },
  /** Changes the scale without losing digits; throws DataError when digits would be lost. */
  rescale(v: DecimalValue, scale: number): DecimalValue {
    if (scale === v.scale) return v;
    if (scale > v.scale) return Object.freeze({ unscaled: v.unscaled * 10n ** BigInt(scale - v.scale), scale });
    const factor = 10n ** BigInt(v.scale - scale);
    if (v.unscaled % factor !== 0n) throw new DataError(`Cannot rescale ${Decimal.toString(v)} to scale ${scale} without rounding`);
    return Object.freeze({ unscaled: v.unscaled / factor, scale });
  },
});

/** `org.apache.kafka.connect.data.Date`: INT32 days since the epoch; value a `Date` at midnight UTC. */
export const DateLogical = Object.freeze({
  LOGICAL_NAME: 'org.apache.kafka.connect.data.Date',
  builder(): SchemaBuilder {
    return SchemaBuilder.int32().name(DateLogical.LOGICAL_NAME).version(1);
  },
  schema(): Schema {
    return DateLogical.builder().build();
  },
  toLogical(schema: Schema, days: number): Date {
    requireLogical(schema, DateLogical.LOGICAL_NAME, 'Date');
    if (!Number.isInteger(days)) throw new DataError(`Date value must be an integer number of days, got ${days}`);
    return new Date(days * MS_PER_DAY);
  },
  /** Throws DataError when the date has a time of day (UTC). */
  fromLogical(schema: Schema, value: Date): number {
    requireLogical(schema, DateLogical.LOGICAL_NAME, 'Date');
    const ms = validDateMs(value, 'Date');
    if (ms % MS_PER_DAY !== 0) throw new DataError('Kafka Connect Date type should not have any time fields set to non-zero values.');
    return ms / MS_PER_DAY;
  },
});

/** `org.apache.kafka.connect.data.Time`: INT32 ms since midnight; value a `Date` on 1970-01-01 UTC. */
export const Time = Object.freeze({
  LOGICAL_NAME: 'org.apache.kafka.connect.data.Time',
  builder(): SchemaBuilder {
    return SchemaBuilder.int32().name(Time.LOGICAL_NAME).version(1);
  },
  schema(): Schema {
    return Time.builder().build();
  },
  toLogical(schema: Schema, millis: number): Date {
    requireLogical(schema, Time.LOGICAL_NAME, 'Time');
    if (!Number.isInteger(millis) || millis < 0 || millis >= MS_PER_DAY) {
      throw new DataError('Time values must use number of milliseconds greater than 0 and less than 86400000');
    }
    return new Date(millis);
  },
  /** Throws DataError when the value is not on 1970-01-01 UTC. */
  fromLogical(schema: Schema, value: Date): number {
    requireLogical(schema, Time.LOGICAL_NAME, 'Time');
    const ms = validDateMs(value, 'Time');
    if (ms < 0 || ms >= MS_PER_DAY) throw new DataError('Kafka Connect Time type should not have any date fields set to non-zero values.');
    return ms;
  },
});

/** `org.apache.kafka.connect.data.Timestamp`: INT64 ms since the epoch; value a `Date`. */
export const Timestamp = Object.freeze({
  LOGICAL_NAME: 'org.apache.kafka.connect.data.Timestamp',
  builder(): SchemaBuilder {
    return SchemaBuilder.int64().name(Timestamp.LOGICAL_NAME).version(1);
  },
  schema(): Schema {
    return Timestamp.builder().build();
  },
  toLogical(schema: Schema, millis: number | bigint): Date {
    requireLogical(schema, Timestamp.LOGICAL_NAME, 'Timestamp');
    const ms = Number(millis);
    const d = new Date(ms);
    if (!Number.isInteger(ms) || Number.isNaN(d.getTime())) throw new DataError(`Timestamp out of range: ${String(millis)}`);
    return d;
  },
  fromLogical(schema: Schema, value: Date): number {
    requireLogical(schema, Timestamp.LOGICAL_NAME, 'Timestamp');
    return validDateMs(value, 'Timestamp');
  },
});

function validDateMs(value: unknown, what: string): number {
  if (!(value instanceof Date)) throw new DataError(`Invalid type for ${what}, expected Date but was ${describeType(value)}`);
  const ms = value.getTime();
  if (Number.isNaN(ms)) throw new DataError(`Invalid ${what}: the Date is invalid`);
  return ms;
}

/** Names the JS type of a value for error messages (never the value itself: it may be a payload). */
export function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (v instanceof Uint8Array) return 'bytes';
  if (v instanceof Map) return 'Map';
  if (v instanceof Date) return 'Date';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'object';
  return typeof v;
}

/** The logical-type helpers by logical name. */
export const LOGICAL_TYPE_NAMES: readonly string[] = Object.freeze([
  Decimal.LOGICAL_NAME,
  DateLogical.LOGICAL_NAME,
  Time.LOGICAL_NAME,
  Timestamp.LOGICAL_NAME,
]);
