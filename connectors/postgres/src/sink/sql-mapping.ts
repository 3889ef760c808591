import {
  DataError,
  DateLogical,
  Decimal,
  Time,
  Timestamp,
  isDecimalValue,
  isStruct,
  type Schema,
  type Struct,
} from '@sluice/core';
import { SemanticTypes } from '../types/column-mapping.js';
import { formatDate, formatLocalTimestamp, formatTimeOfDay } from '../types/temporal.js';

/**
 * The PostgreSQL column type for a Connect schema, following Debezium's semantic types where they
 * are present (so a Debezium source table round-trips to the same column types) and Kafka Connect's
 * logical types otherwise. Structs and maps become jsonb.
 */
export function sqlType(schema: Schema): string {
  switch (schema.name) {
    case Decimal.LOGICAL_NAME: {
      const precision = schema.parameters?.['connect.decimal.precision'];
      const scale = schema.parameters?.['scale'] ?? '0';
      return precision !== undefined && Number(precision) > 0 ? `numeric(${precision},${scale})` : 'numeric';
    }
    case DateLogical.LOGICAL_NAME:
    case SemanticTypes.DATE:
      return 'date';
    case Time.LOGICAL_NAME:
    case SemanticTypes.TIME:
      return 'time(3)';
    case SemanticTypes.MICRO_TIME:
    case SemanticTypes.NANO_TIME:
      return 'time(6)';
    case Timestamp.LOGICAL_NAME:
    case SemanticTypes.TIMESTAMP:
      return 'timestamp(3)';
    case SemanticTypes.MICRO_TIMESTAMP:
    case SemanticTypes.NANO_TIMESTAMP:
      return 'timestamp(6)';
    case SemanticTypes.ZONED_TIMESTAMP:
      return 'timestamptz';
    case SemanticTypes.ZONED_TIME:
      return 'timetz';
    case SemanticTypes.MICRO_DURATION:
    case SemanticTypes.INTERVAL:
      return 'interval';
    case SemanticTypes.UUID:
      return 'uuid';
    case SemanticTypes.JSON:
      return 'jsonb';
    case SemanticTypes.XML:
      return 'xml';
    case SemanticTypes.VARIABLE_SCALE_DECIMAL:
      return 'numeric';
  }
  switch (schema.type) {
    case 'int8':
    case 'int16':
      return 'smallint';
    case 'int32':
      return 'integer';
    case 'int64':
      return 'bigint';
    case 'float32':
      return 'real';
    case 'float64':
      return 'double precision';
    case 'boolean':
      return 'boolean';
    case 'string':
      return 'text';
    case 'bytes':
      return 'bytea';
    case 'array': {
      const element = schema.valueSchema;
      if (element === undefined || element.type === 'array' || element.type === 'struct' || element.type === 'map')
        return 'jsonb';
      return `${sqlType(element)}[]`;
    }
    case 'struct':
    case 'map':
      return 'jsonb';
  }
}

function jsonReplacer(_key: string, v: unknown): unknown {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Map) return Object.fromEntries([...v.entries()].map(([k, val]) => [String(k), val]));
  if (isStruct(v)) return v.toJSON();
  if (isDecimalValue(v)) return Decimal.toString(v);
  if (v instanceof Uint8Array && !Buffer.isBuffer(v)) return Buffer.from(v).toString('base64');
  return v;
}

function asBigInt(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  throw new DataError(`expected an integer, got ${typeof value}`);
}

/**
 * A Connect value as a `pg` query parameter for a column created by `sqlType(schema)`: temporal
 * values as ISO text (never JS Dates, which the driver would shift to local time), decimals and
 * int64 as exact text, bytes as Buffers, structs and maps as JSON text. `null` stays null.
 * @throws DataError when the value does not fit the schema.
 */
export function sqlValue(schema: Schema | null, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (schema === null) return inferredValue(value);
  switch (schema.name) {
    case Decimal.LOGICAL_NAME:
      if (!isDecimalValue(value)) throw new DataError('expected a Decimal value');
      return Decimal.toString(value);
    case DateLogical.LOGICAL_NAME:
      return formatDate(Math.floor((value as Date).getTime() / 86_400_000));
    case Time.LOGICAL_NAME:
      return formatTimeOfDay(BigInt((value as Date).getTime()) * 1000n);
    case Timestamp.LOGICAL_NAME:
      return formatLocalTimestamp(BigInt((value as Date).getTime()) * 1000n);
    case SemanticTypes.DATE:
      return formatDate(Number(value));
    case SemanticTypes.TIME:
      return formatTimeOfDay(asBigInt(value) * 1000n);
    case SemanticTypes.MICRO_TIME:
      return formatTimeOfDay(asBigInt(value));
    case SemanticTypes.NANO_TIME:
      return formatTimeOfDay(asBigInt(value) / 1000n);
    case SemanticTypes.TIMESTAMP:
      return formatLocalTimestamp(asBigInt(value) * 1000n);
    case SemanticTypes.MICRO_TIMESTAMP:
      return formatLocalTimestamp(asBigInt(value));
    case SemanticTypes.NANO_TIMESTAMP:
      return formatLocalTimestamp(asBigInt(value) / 1000n);
    case SemanticTypes.MICRO_DURATION:
      return `${asBigInt(value).toString()} microseconds`;
    case SemanticTypes.VARIABLE_SCALE_DECIMAL: {
      const s = value as Struct;
      return Decimal.toString(Decimal.fromBytes(s.get('value') as Uint8Array, Number(s.get('scale'))));
    }
  }
  switch (schema.type) {
    case 'int64':
      return typeof value === 'bigint' ? value.toString() : value;
    case 'bytes':
      return Buffer.isBuffer(value) ? value : Buffer.from(value as Uint8Array);
    case 'array': {
      if (sqlType(schema) === 'jsonb') return JSON.stringify(value, jsonReplacer);
      const element = schema.valueSchema ?? null;
      return (value as unknown[]).map((v) => sqlValue(element, v));
    }
    case 'struct':
    case 'map':
      return JSON.stringify(value, jsonReplacer);
    default:
      return value;
  }
}

// Schemaless values (e.g. JSON without schemas): scalars pass through, objects become JSON text.
function inferredValue(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value);
  if (value instanceof Date) return value.toISOString();
  if (isDecimalValue(value)) return Decimal.toString(value);
  if (Array.isArray(value) || value instanceof Map || isStruct(value) || (typeof value === 'object' && value !== null))
    return JSON.stringify(value, jsonReplacer);
  return value;
}

/** The column type for a schemaless value (what `inferredValue` writes). */
export function inferredSqlType(value: unknown): string {
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'bigint') return 'bigint';
  if (typeof value === 'number') return Number.isInteger(value) ? 'bigint' : 'double precision';
  if (typeof value === 'string') return 'text';
  if (value instanceof Uint8Array) return 'bytea';
  if (value instanceof Date) return 'timestamptz';
  if (isDecimalValue(value)) return 'numeric';
  return 'jsonb';
}
