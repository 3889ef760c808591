import {
  DataError,
  Decimal,
  DateLogical,
  SchemaBuilder,
  Struct,
  Time,
  Timestamp,
  type DecimalValue,
  type Schema,
} from '@sluice/core';
import { parseArrayLiteral, type ArrayElement } from './array-literal.js';
import {
  characterLength,
  numericPrecisionScale,
  temporalPrecision,
  type ColumnDefinition,
  type PgType,
} from './pg-type.js';
import {
  formatZonedTime,
  formatZonedTimestamp,
  parseDate,
  parseIntervalMicros,
  parseTimeMicros,
  parseTimeTzMicrosUtc,
  parseTimestampMicros,
} from './temporal.js';

export type DecimalHandlingMode = 'precise' | 'double' | 'string';
export type TimePrecisionMode = 'adaptive' | 'adaptive_time_microseconds' | 'connect';
export type IntervalHandlingMode = 'numeric' | 'string';
export type BinaryHandlingMode = 'bytes' | 'base64' | 'hex';

/** The Debezium options that change how columns are represented. */
export interface TypeMappingOptions {
  readonly decimalHandling: DecimalHandlingMode;
  readonly timePrecision: TimePrecisionMode;
  readonly intervalHandling: IntervalHandlingMode;
  readonly binaryHandling: BinaryHandlingMode;
  readonly moneyFractionDigits: number;
}

export const DEFAULT_TYPE_MAPPING: TypeMappingOptions = Object.freeze({
  decimalHandling: 'precise',
  timePrecision: 'adaptive',
  intervalHandling: 'numeric',
  binaryHandling: 'bytes',
  moneyFractionDigits: 2,
});

/** Debezium's semantic type names (schema names), shared with the sink. */
export const SemanticTypes = Object.freeze({
  DATE: 'io.debezium.time.Date',
  TIME: 'io.debezium.time.Time',
  MICRO_TIME: 'io.debezium.time.MicroTime',
  NANO_TIME: 'io.debezium.time.NanoTime',
  TIMESTAMP: 'io.debezium.time.Timestamp',
  MICRO_TIMESTAMP: 'io.debezium.time.MicroTimestamp',
  NANO_TIMESTAMP: 'io.debezium.time.NanoTimestamp',
  ZONED_TIMESTAMP: 'io.debezium.time.ZonedTimestamp',
  ZONED_TIME: 'io.debezium.time.ZonedTime',
  MICRO_DURATION: 'io.debezium.time.MicroDuration',
  INTERVAL: 'io.debezium.time.Interval',
  UUID: 'io.debezium.data.Uuid',
  JSON: 'io.debezium.data.Json',
  XML: 'io.debezium.data.Xml',
  ENUM: 'io.debezium.data.Enum',
  BITS: 'io.debezium.data.Bits',
  VARIABLE_SCALE_DECIMAL: 'io.debezium.data.VariableScaleDecimal',
});

/** A column's Connect schema and the conversion of its text output into a value of that schema. */
export interface ColumnMapping {
  readonly schema: Schema;
  /** Converts the column's text output (never called for NULL). @throws DataError on malformed text */
  fromText(text: string): unknown;
}

interface ScalarMapping {
  readonly builder: () => SchemaBuilder;
  readonly fromText: (text: string) => unknown;
}

const INT32_MAX = 2_147_483_647;
const INT32_MIN = -2_147_483_648;
const INT64_MAX = 9_223_372_036_854_775_807n;
const INT64_MIN = -9_223_372_036_854_775_808n;

function int64(v: bigint): number | bigint {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v;
}

function integer(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n)) throw new DataError(`Not an integer: "${text}"`);
  return n;
}

function float(text: string): number {
  // Number() accepts "Infinity"/"-Infinity"; PostgreSQL prints NaN as "NaN", which Number() also maps
  const n = Number(text);
  if (Number.isNaN(n) && text !== 'NaN') throw new DataError(`Not a floating point number: "${text}"`);
  return n;
}

function semantic(builder: SchemaBuilder, name: string): SchemaBuilder {
  return builder.name(name).version(1);
}

function hexBytes(text: string): Buffer {
  if (!text.startsWith('\\x')) throw new DataError('bytea value is not in hex format (bytea_output must be hex)');
  return Buffer.from(text.slice(2), 'hex');
}

function bitsToBytes(bits: string): Buffer {
  // Debezium's Bits: java.util.BitSet.toByteArray(), little-endian, bit 0 = the rightmost character
  const out = Buffer.alloc(Math.ceil(bits.length / 8));
  for (let i = 0; i < bits.length; i++) {
    if (bits[bits.length - 1 - i] === '1') out[i >> 3] = (out[i >> 3] as number) | (1 << (i & 7));
  }
  let len = out.length;
  while (len > 0 && out[len - 1] === 0) len--;
  return out.subarray(0, len);
}

function decimalMapping(
  options: TypeMappingOptions,
  precisionScale: { precision: number; scale: number } | null,
  isMoney: boolean,
): ScalarMapping {
  const clean = isMoney ? (t: string) => t.replace(/[^0-9.-]/g, '') : (t: string) => t;
  switch (options.decimalHandling) {
    case 'double':
      return { builder: () => SchemaBuilder.float64(), fromText: (t) => (t === 'NaN' ? NaN : float(clean(t))) };
    case 'string':
      return { builder: () => SchemaBuilder.string(), fromText: (t) => (isMoney ? clean(t) : t) };
    case 'precise': {
      if (precisionScale !== null) {
        const { precision, scale } = precisionScale;
        return {
          builder: () => {
            const b = Decimal.builder(scale);
            return isMoney ? b : b.parameter('connect.decimal.precision', String(precision));
          },
          fromText: (t) => {
            if (t === 'NaN' || t === 'Infinity' || t === '-Infinity') return null;
            return Decimal.rescale(Decimal.fromString(clean(t)), scale);
          },
        };
      }
      // numeric without precision: the scale varies per value, so Debezium ships it with the value
      return {
        builder: () =>
          SchemaBuilder.struct()
            .name(SemanticTypes.VARIABLE_SCALE_DECIMAL)
            .version(1)
            .doc('Variable scaled decimal')
            .field('scale', SchemaBuilder.int32().build())
            .field('value', SchemaBuilder.bytes().build()),
        fromText: (t) => {
          if (t === 'NaN' || t === 'Infinity' || t === '-Infinity') return null;
          return { variableScaleDecimal: Decimal.fromString(t) };
        },
      };
    }
  }
}

function dateMapping(options: TypeMappingOptions): ScalarMapping {
  const days = (t: string): number => {
    const d = parseDate(t);
    return d === 'infinity' ? INT32_MAX : d === '-infinity' ? INT32_MIN : d;
  };
  if (options.timePrecision === 'connect') {
    return { builder: () => DateLogical.builder(), fromText: (t) => new Date(days(t) * 86_400_000) };
  }
  return { builder: () => semantic(SchemaBuilder.int32(), SemanticTypes.DATE), fromText: days };
}

function timeMapping(options: TypeMappingOptions, precision: number): ScalarMapping {
  if (options.timePrecision === 'connect') {
    return {
      builder: () => Time.builder(),
      fromText: (t) => {
        const ms = Number(parseTimeMicros(t) / 1000n);
        if (ms >= 86_400_000) throw new DataError(`time ${t} cannot be represented as a Kafka Connect Time`);
        return new Date(ms);
      },
    };
  }
  if (options.timePrecision === 'adaptive' && precision <= 3) {
    return {
      builder: () => semantic(SchemaBuilder.int32(), SemanticTypes.TIME),
      fromText: (t) => Number(parseTimeMicros(t) / 1000n),
    };
  }
  return {
    builder: () => semantic(SchemaBuilder.int64(), SemanticTypes.MICRO_TIME),
    fromText: (t) => int64(parseTimeMicros(t)),
  };
}

function timestampMapping(options: TypeMappingOptions, precision: number): ScalarMapping {
  const micros = (t: string): bigint => {
    const v = parseTimestampMicros(t);
    return v === 'infinity' ? INT64_MAX : v === '-infinity' ? INT64_MIN : v;
  };
  if (options.timePrecision === 'connect') {
    return { builder: () => Timestamp.builder(), fromText: (t) => new Date(Number(micros(t) / 1000n)) };
  }
  if (precision <= 3) {
    return {
      builder: () => semantic(SchemaBuilder.int64(), SemanticTypes.TIMESTAMP),
      fromText: (t) => int64(micros(t) / 1000n),
    };
  }
  return {
    builder: () => semantic(SchemaBuilder.int64(), SemanticTypes.MICRO_TIMESTAMP),
    fromText: (t) => int64(micros(t)),
  };
}

function binaryMapping(options: TypeMappingOptions): ScalarMapping {
  switch (options.binaryHandling) {
    case 'bytes':
      return { builder: () => SchemaBuilder.bytes(), fromText: hexBytes };
    case 'base64':
      return { builder: () => SchemaBuilder.string(), fromText: (t) => hexBytes(t).toString('base64') };
    case 'hex':
      return { builder: () => SchemaBuilder.string(), fromText: (t) => hexBytes(t).toString('hex') };
  }
}

const stringMapping = (name?: string): ScalarMapping => ({
  builder: () => (name === undefined ? SchemaBuilder.string() : semantic(SchemaBuilder.string(), name)),
  fromText: (t) => t,
});

function scalarMapping(type: PgType, typeModifier: number, options: TypeMappingOptions): ScalarMapping {
  if (type.kind === 'enum') {
    return {
      builder: () =>
        semantic(SchemaBuilder.string(), SemanticTypes.ENUM).parameter('allowed', type.enumValues.join(',')),
      fromText: (t) => t,
    };
  }
  switch (type.name) {
    case 'bool':
      return { builder: () => SchemaBuilder.bool(), fromText: (t) => t === 't' || t === 'true' };
    case 'int2':
      return { builder: () => SchemaBuilder.int16(), fromText: integer };
    case 'int4':
      return { builder: () => SchemaBuilder.int32(), fromText: integer };
    case 'int8':
    case 'oid':
    case 'xid':
    case 'xid8':
      return { builder: () => SchemaBuilder.int64(), fromText: (t) => int64(BigInt(t)) };
    case 'float4':
      return { builder: () => SchemaBuilder.float32(), fromText: float };
    case 'float8':
      return { builder: () => SchemaBuilder.float64(), fromText: float };
    case 'numeric':
      return decimalMapping(options, numericPrecisionScale(typeModifier), false);
    case 'money':
      return decimalMapping(options, { precision: 0, scale: options.moneyFractionDigits }, true);
    case 'bytea':
      return binaryMapping(options);
    case 'date':
      return dateMapping(options);
    case 'time':
      return timeMapping(options, temporalPrecision(typeModifier));
    case 'timetz':
      return {
        builder: () => semantic(SchemaBuilder.string(), SemanticTypes.ZONED_TIME),
        fromText: (t) => formatZonedTime(parseTimeTzMicrosUtc(t)),
      };
    case 'timestamp':
      return timestampMapping(options, temporalPrecision(typeModifier));
    case 'timestamptz':
      return {
        builder: () => semantic(SchemaBuilder.string(), SemanticTypes.ZONED_TIMESTAMP),
        fromText: (t) => {
          const v = parseTimestampMicros(t);
          return v === 'infinity' || v === '-infinity' ? v : formatZonedTimestamp(v);
        },
      };
    case 'interval':
      return options.intervalHandling === 'string'
        ? stringMapping(SemanticTypes.INTERVAL)
        : {
            builder: () => semantic(SchemaBuilder.int64(), SemanticTypes.MICRO_DURATION),
            fromText: (t) => int64(parseIntervalMicros(t)),
          };
    case 'uuid':
      return stringMapping(SemanticTypes.UUID);
    case 'json':
    case 'jsonb':
      return stringMapping(SemanticTypes.JSON);
    case 'xml':
      return stringMapping(SemanticTypes.XML);
    case 'bit':
    case 'varbit': {
      if (type.name === 'bit' && characterLength(typeModifier, 'bit') === 1)
        return { builder: () => SchemaBuilder.bool(), fromText: (t) => t === '1' };
      const length = characterLength(typeModifier, type.name);
      return {
        builder: () => {
          const b = semantic(SchemaBuilder.bytes(), SemanticTypes.BITS);
          return length === null ? b : b.parameter('length', String(length));
        },
        fromText: bitsToBytes,
      };
    }
    default:
      // text, varchar, bpchar, name, char, inet, cidr, macaddr, ranges, geometric and other types: their
      // text output is the value
      return stringMapping();
  }
}

/**
 * Maps a column to its Connect schema (optional when the column is nullable) following Debezium's
 * PostgreSQL type mapping for the given options, and returns the text → value conversion. Array
 * element schemas are always optional (elements may be NULL). Unknown types become strings holding
 * the type's text output.
 */
export function mapColumn(column: ColumnDefinition, options: TypeMappingOptions = DEFAULT_TYPE_MAPPING): ColumnMapping {
  const { type, typeModifier } = column;
  if (type.kind === 'array' && type.element !== null) {
    const element = scalarMapping(type.element, typeModifier, options);
    const elementSchema = element.builder().optional().build();
    const builder = SchemaBuilder.array(elementSchema);
    const convert = (items: ArrayElement[]): unknown[] =>
      items.map((item) => {
        if (item === null) return null;
        if (Array.isArray(item))
          throw new DataError(`Column "${column.name}": multi-dimensional arrays are not supported`);
        return finishScalar(elementSchema, element.fromText(item));
      });
    return {
      schema: (column.optional ? builder.optional() : builder).build(),
      fromText: (t) => convert(parseArrayLiteral(t, type.element?.delimiter ?? ',')),
    };
  }
  const scalar = scalarMapping(type, typeModifier, options);
  const builder = scalar.builder();
  const schema = (column.optional ? builder.optional() : builder).build();
  return { schema, fromText: (t) => finishScalar(schema, scalar.fromText(t)) };
}

// VariableScaleDecimal needs the built schema to create its Struct, so the scalar conversion returns a
// marker that is turned into the Struct here.
function finishScalar(schema: Schema, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && 'variableScaleDecimal' in value) {
    const d = (value as { variableScaleDecimal: DecimalValue }).variableScaleDecimal;
    return new Struct(schema).put('scale', d.scale).put('value', Buffer.from(Decimal.toBytes(d)));
  }
  return value;
}
