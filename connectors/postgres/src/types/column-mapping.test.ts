import { describe, expect, it } from 'vitest';
import { Decimal, isStruct, type Schema } from '@sluice/core';
import { DEFAULT_TYPE_MAPPING, mapColumn, type TypeMappingOptions } from './column-mapping.js';
import { arrayType, baseType, enumType, type ColumnDefinition, type PgType } from './pg-type.js';
import { unavailableValue, zeroValue } from './placeholder-values.js';

function col(type: PgType | string, typeModifier = -1, optional = true): ColumnDefinition {
  return { name: 'c', type: typeof type === 'string' ? baseType(type) : type, typeModifier, optional };
}

function map(type: PgType | string, text: string, typeModifier = -1, options: Partial<TypeMappingOptions> = {}) {
  const m = mapColumn(col(type, typeModifier), { ...DEFAULT_TYPE_MAPPING, ...options });
  return { schema: m.schema, value: m.fromText(text) };
}

const shape = (s: Schema) => ({ type: s.type, name: s.name, optional: s.optional, parameters: s.parameters });
const numericTypmod = (p: number, s: number) => ((p << 16) | s) + 4;

describe('mapColumn (Debezium PostgreSQL type mapping)', () => {
  it('maps integers, floats and booleans to Connect primitives', () => {
    expect(map('int2', '-32768')).toMatchObject({ value: -32_768, schema: { type: 'int16' } });
    expect(map('int4', '2147483647')).toMatchObject({ value: 2_147_483_647, schema: { type: 'int32' } });
    expect(map('int8', '42')).toMatchObject({ value: 42, schema: { type: 'int64' } });
    expect(map('int8', '9223372036854775807').value).toBe(9_223_372_036_854_775_807n);
    expect(map('float4', '1.5')).toMatchObject({ value: 1.5, schema: { type: 'float32' } });
    expect(map('float8', '-Infinity').value).toBe(-Infinity);
    expect(Number.isNaN(map('float8', 'NaN').value)).toBe(true);
    expect(map('bool', 't')).toMatchObject({ value: true, schema: { type: 'boolean' } });
    expect(map('bool', 'f').value).toBe(false);
  });

  it('maps numeric per decimal.handling.mode', () => {
    const precise = map('numeric', '12.30', numericTypmod(10, 2));
    expect(shape(precise.schema)).toEqual({
      type: 'bytes',
      name: Decimal.LOGICAL_NAME,
      optional: true,
      parameters: { scale: '2', 'connect.decimal.precision': '10' },
    });
    expect(precise.value).toEqual({ unscaled: 1230n, scale: 2 });
    expect(map('numeric', 'NaN', numericTypmod(10, 2)).value).toBeNull();
    expect(map('numeric', '12.30', numericTypmod(10, 2), { decimalHandling: 'double' })).toMatchObject({
      value: 12.3,
      schema: { type: 'float64' },
    });
    expect(map('numeric', '12.30', numericTypmod(10, 2), { decimalHandling: 'string' })).toMatchObject({
      value: '12.30',
      schema: { type: 'string' },
    });
  });

  it('maps numeric without precision to a VariableScaleDecimal struct carrying the scale', () => {
    const { schema, value } = map('numeric', '-123.4500');
    expect(schema.name).toBe('io.debezium.data.VariableScaleDecimal');
    expect(schema.fields.map((f) => [f.name, f.schema.type])).toEqual([
      ['scale', 'int32'],
      ['value', 'bytes'],
    ]);
    expect(isStruct(value)).toBe(true);
    if (!isStruct(value)) return;
    expect(value.get('scale')).toBe(4);
    expect(Decimal.fromBytes(value.get('value') as Uint8Array, 4)).toEqual({ unscaled: -1_234_500n, scale: 4 });
  });

  it('maps money to a decimal with money.fraction.digits, whatever the currency formatting', () => {
    expect(map('money', '-$1,234.56').value).toEqual({ unscaled: -123_456n, scale: 2 });
    expect(map('money', '$0.05', -1, { decimalHandling: 'string' }).value).toBe('0.05');
  });

  it('maps text-like types, uuid, json and xml to strings with Debezium semantic names', () => {
    expect(map('varchar', 'héllo')).toMatchObject({ value: 'héllo', schema: { type: 'string' } });
    expect(map('bpchar', 'ab  ').value).toBe('ab  ');
    expect(map('uuid', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11').schema.name).toBe('io.debezium.data.Uuid');
    expect(map('jsonb', '{"a": 1}')).toMatchObject({ value: '{"a": 1}', schema: { name: 'io.debezium.data.Json' } });
    expect(map('json', '[]').schema.name).toBe('io.debezium.data.Json');
    expect(map('xml', '<a/>').schema.name).toBe('io.debezium.data.Xml');
    expect(map('inet', '10.0.0.1/32')).toMatchObject({ value: '10.0.0.1/32', schema: { type: 'string' } });
    expect(map('tsvector', "'a' 'b'")).toMatchObject({ value: "'a' 'b'", schema: { type: 'string', name: undefined } });
  });

  it('maps enums to io.debezium.data.Enum listing the allowed labels', () => {
    const { schema, value } = map(enumType('mood', ['sad', 'ok', 'happy']), 'ok');
    expect(shape(schema)).toEqual({
      type: 'string',
      name: 'io.debezium.data.Enum',
      optional: true,
      parameters: { allowed: 'sad,ok,happy' },
    });
    expect(value).toBe('ok');
  });

  it('maps bytea per binary.handling.mode', () => {
    expect(map('bytea', '\\x00ff10').value).toEqual(Buffer.from([0, 255, 16]));
    expect(map('bytea', '\\x00ff10', -1, { binaryHandling: 'base64' }).value).toBe('AP8Q');
    expect(map('bytea', '\\x00ff10', -1, { binaryHandling: 'hex' }).value).toBe('00ff10');
  });

  it('maps bit(1) to boolean and longer bit strings to io.debezium.data.Bits bytes', () => {
    expect(map('bit', '1', 1)).toMatchObject({ value: true, schema: { type: 'boolean' } });
    const bits = map('varbit', '100000001', 9);
    expect(shape(bits.schema)).toEqual({
      type: 'bytes',
      name: 'io.debezium.data.Bits',
      optional: true,
      parameters: { length: '9' },
    });
    expect(bits.value).toEqual(Buffer.from([0x01, 0x01]));
  });

  it('maps temporal types adaptively to io.debezium.time types by column precision', () => {
    expect(map('date', '2024-02-29')).toMatchObject({
      value: 19_782,
      schema: { type: 'int32', name: 'io.debezium.time.Date' },
    });
    expect(map('time', '13:45:07.123456')).toMatchObject({
      value: 49_507_123_456,
      schema: { type: 'int64', name: 'io.debezium.time.MicroTime' },
    });
    expect(map('time', '13:45:07.123', 3)).toMatchObject({
      value: 49_507_123,
      schema: { type: 'int32', name: 'io.debezium.time.Time' },
    });
    expect(map('timestamp', '2024-01-02 03:04:05.678901')).toMatchObject({
      value: 1_704_164_645_678_901,
      schema: { name: 'io.debezium.time.MicroTimestamp' },
    });
    expect(map('timestamp', '2024-01-02 03:04:05.678', 3)).toMatchObject({
      value: 1_704_164_645_678,
      schema: { name: 'io.debezium.time.Timestamp' },
    });
    expect(map('timestamptz', '2024-01-02 03:04:05.5+02')).toMatchObject({
      value: '2024-01-02T01:04:05.500Z',
      schema: { type: 'string', name: 'io.debezium.time.ZonedTimestamp' },
    });
    expect(map('timetz', '01:00:00+02')).toMatchObject({
      value: '23:00:00Z',
      schema: { name: 'io.debezium.time.ZonedTime' },
    });
    expect(map('interval', 'P1DT1S')).toMatchObject({
      value: 86_401_000_000,
      schema: { type: 'int64', name: 'io.debezium.time.MicroDuration' },
    });
    expect(map('interval', 'P1DT1S', -1, { intervalHandling: 'string' })).toMatchObject({
      value: 'P1DT1S',
      schema: { name: 'io.debezium.time.Interval' },
    });
    expect(map('time', '00:00:01.5', 3, { timePrecision: 'adaptive_time_microseconds' }).schema.name).toBe(
      'io.debezium.time.MicroTime',
    );
  });

  it('maps temporal types to Kafka Connect logical types with time.precision.mode=connect', () => {
    const connect = { timePrecision: 'connect' as const };
    expect(map('date', '2024-02-29', -1, connect)).toMatchObject({
      value: new Date('2024-02-29T00:00:00Z'),
      schema: { name: 'org.apache.kafka.connect.data.Date' },
    });
    expect(map('time', '13:45:07.123456', -1, connect)).toMatchObject({
      value: new Date(49_507_123),
      schema: { name: 'org.apache.kafka.connect.data.Time' },
    });
    expect(map('timestamp', '2024-01-02 03:04:05.678901', -1, connect)).toMatchObject({
      value: new Date(1_704_164_645_678),
      schema: { name: 'org.apache.kafka.connect.data.Timestamp' },
    });
  });

  it('maps arrays to Connect arrays of optional elements converted like the element type', () => {
    const ints = map(arrayType(baseType('int4')), '{1,NULL,3}');
    expect(ints.schema.type).toBe('array');
    expect(ints.schema.valueSchema).toMatchObject({ type: 'int32', optional: true });
    expect(ints.value).toEqual([1, null, 3]);
    const decimals = map(arrayType(baseType('numeric')), '{1.50,2.25}', numericTypmod(5, 2));
    expect(decimals.value).toEqual([
      { unscaled: 150n, scale: 2 },
      { unscaled: 225n, scale: 2 },
    ]);
    expect(map(arrayType(baseType('text')), '{"a b",c}').value).toEqual(['a b', 'c']);
    expect(() => map(arrayType(baseType('int4')), '{{1},{2}}')).toThrow(/multi-dimensional/);
  });

  it('makes NOT NULL columns required and nullable ones optional', () => {
    expect(mapColumn(col('int4', -1, false)).schema.optional).toBe(false);
    expect(mapColumn(col('int4', -1, true)).schema.optional).toBe(true);
  });

  it('rejects text that does not fit the type', () => {
    expect(() => map('int4', 'abc')).toThrow(/Not an integer/);
    expect(() => map('bytea', 'plain')).toThrow(/hex format/);
    expect(() => map('date', 'yesterday')).toThrow(/Not an ISO date/);
  });
});

describe('placeholder values', () => {
  it('renders unchanged TOAST as the placeholder where the type can hold it, else null or a zero value', () => {
    expect(unavailableValue(mapColumn(col('text')).schema)).toBe('__debezium_unavailable_value');
    expect(unavailableValue(mapColumn(col('jsonb')).schema)).toBe('__debezium_unavailable_value');
    expect(unavailableValue(mapColumn(col('bytea')).schema)).toEqual(Buffer.from('__debezium_unavailable_value'));
    expect(unavailableValue(mapColumn(col(arrayType(baseType('text')))).schema)).toEqual([
      '__debezium_unavailable_value',
    ]);
    expect(unavailableValue(mapColumn(col('numeric', numericTypmod(5, 1))).schema)).toBeNull();
    expect(unavailableValue(mapColumn(col('numeric', numericTypmod(5, 1), false)).schema)).toEqual({
      unscaled: 0n,
      scale: 1,
    });
  });

  it('gives required fields a neutral zero value', () => {
    expect(zeroValue(mapColumn(col('int4', -1, false)).schema)).toBe(0);
    expect(zeroValue(mapColumn(col('text', -1, false)).schema)).toBe('');
    expect(zeroValue(mapColumn(col('bool', -1, false)).schema)).toBe(false);
    expect(zeroValue(mapColumn(col('timestamptz', -1, false)).schema)).toBe('');
  });
});
