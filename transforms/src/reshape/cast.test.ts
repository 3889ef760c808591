import { ConfigValidationError, DataError, DateLogical, Decimal, SchemaBuilder, Schemas, sourceRecord, Struct, Time, Timestamp } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { Cast } from './cast.js';

const record = (init: Partial<Parameters<typeof sourceRecord>[0]>) => sourceRecord({ sourcePartition: {}, sourceOffset: {}, topic: 'topic', ...init });
const configured = (side: 'key' | 'value', spec: string, extra: Record<string, string> = {}): Cast => {
  const t = new Cast(side);
  t.configure({ spec, ...extra });
  return t;
};
const MS_PER_DAY = 86_400_000;

describe('Cast config', () => {
  it('rejects an empty spec, unknown types and unsupported targets', () => {
    expect(() => configured('value', '')).toThrow(ConfigValidationError);
    expect(() => configured('value', 'foo:faketype')).toThrow(/spec/);
    expect(() => configured('value', 'faketype')).toThrow(/spec/);
    expect(() => configured('value', 'foo:array')).toThrow(/does not support casting to ARRAY/);
    expect(() => configured('value', 'bytes')).toThrow(/does not support casting to BYTES/);
    expect(() => configured('value', 'foo:int8:extra')).toThrow(/spec/);
  });

  it('rejects a whole-value cast mixed with field casts', () => {
    expect(() => configured('value', 'foo:int8,int32')).toThrow(/single cast/);
  });

  it('accepts type names in any case', () => {
    const t = configured('value', 'INT32');
    expect(t.apply(record({ value: 42n }))?.value).toBe(42);
  });
});

describe('Cast', () => {
  it('passes null values and keys through unchanged', () => {
    for (const side of ['key', 'value'] as const) {
      const t = configured(side, 'int32');
      const schemaless = record({});
      expect(t.apply(schemaless)).toBe(schemaless);
      const withSchema = record({ keySchema: Schemas.OPTIONAL_STRING, valueSchema: Schemas.OPTIONAL_STRING });
      expect(t.apply(withSchema)).toBe(withSchema);
    }
  });

  it('casts a whole key with a schema', () => {
    const out = configured('key', 'int8').apply(record({ keySchema: Schemas.INT32, key: 42 }));
    expect(out?.keySchema?.type).toBe('int8');
    expect(out?.key).toBe(42);
  });

  it('casts a whole value with a schema to every target type', () => {
    const cases: [string, unknown, string, unknown][] = [
      ['int8', 42, 'int8', 42],
      ['int16', 42, 'int16', 42],
      ['int32', 42, 'int32', 42],
      ['int64', 42, 'int64', 42],
      ['float32', 42, 'float32', 42],
      ['float64', 42, 'float64', 42],
      ['boolean', 42, 'boolean', true],
      ['boolean', 0, 'boolean', false],
      ['string', 42, 'string', '42'],
    ];
    for (const [spec, input, type, expected] of cases) {
      const out = configured('value', spec).apply(record({ valueSchema: Schemas.INT32, value: input }));
      expect(out?.valueSchema?.type).toBe(type);
      expect(out?.value).toBe(expected);
    }
  });

  it('renders decimals, floats and dates as Kafka Connect does when casting to string', () => {
    const dec = configured('value', 'string').apply(record({ valueSchema: Decimal.schema(2), value: { unscaled: 4_200n, scale: 2 } }));
    expect(dec?.value).toBe('42.00');
    expect(dec?.valueSchema?.name).toBeUndefined();
    expect(configured('value', 'string').apply(record({ valueSchema: Schemas.FLOAT64, value: 1 }))?.value).toBe('1.0');
    expect(configured('value', 'string').apply(record({ valueSchema: Schemas.FLOAT32, value: Math.fround(0.1) }))?.value).toBe('0.1');
    const ts = configured('value', 'string').apply(record({ valueSchema: Timestamp.schema(), value: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)) }));
    expect(ts?.value).toBe('2024-01-02T03:04:05.006Z');
    expect(ts?.valueSchema).toMatchObject({ type: 'string' });
    expect(ts?.valueSchema?.name).toBeUndefined();
  });

  it('casts the default value of a whole-value schema', () => {
    const schema = SchemaBuilder.float32().defaultValue(-42.125).build();
    const out = configured('value', 'int64').apply(record({ valueSchema: schema, value: 1.5 }));
    expect(out?.valueSchema?.defaultValue).toBe(-42);
    expect(out?.value).toBe(1);
  });

  it('casts whole schemaless values', () => {
    expect(configured('key', 'int8').apply(record({ key: 42 }))?.key).toBe(42);
    const cases: [string, unknown, unknown][] = [
      ['int8', 42, 42],
      ['int16', 42, 42],
      ['int32', 42, 42],
      ['int64', 42, 42],
      ['float32', 42, 42],
      ['float64', 42, 42],
      ['boolean', 42, true],
      ['boolean', 0, false],
      ['string', 42, '42'],
      ['string', 1.5, '1.5'],
      ['string', new Uint8Array([0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10]), '/ty6mHZUMhA='],
      ['int32', '42', 42],
      ['boolean', 'TRUE', true],
      ['boolean', 'yes', false],
      ['float64', '1.5e3', 1_500],
    ];
    for (const [spec, input, expected] of cases) {
      const out = configured('value', spec).apply(record({ value: input }));
      expect(out?.valueSchema).toBeNull();
      expect(out?.value).toBe(expected);
    }
  });

  it('rejects schemaless values Connect cannot cast from', () => {
    expect(() => configured('value', 'int8').apply(record({ value: ['foo'] }))).toThrow(/does not support casting from ARRAY/);
    expect(() => configured('value', 'int8').apply(record({ value: new Date() }))).toThrow(/not support/);
    expect(() => configured('value', 'int8').apply(record({ value: new Uint8Array([1]) }))).toThrow(DataError);
  });

  it('narrows numbers like Java: integers wrap, floats truncate and saturate', () => {
    expect(configured('value', 'int8').apply(record({ valueSchema: Schemas.INT32, value: 300 }))?.value).toBe(44);
    expect(configured('value', 'int32').apply(record({ valueSchema: Schemas.INT64, value: 3_000_000_000 }))?.value).toBe(-1_294_967_296);
    expect(configured('value', 'int32').apply(record({ valueSchema: Schemas.FLOAT64, value: 3e9 }))?.value).toBe(2_147_483_647);
    expect(configured('value', 'int8').apply(record({ valueSchema: Schemas.FLOAT64, value: -1.9 }))?.value).toBe(-1);
    expect(configured('value', 'int64').apply(record({ valueSchema: Schemas.FLOAT64, value: NaN }))?.value).toBe(0);
    expect(configured('value', 'boolean').apply(record({ valueSchema: Schemas.FLOAT64, value: 0.5 }))?.value).toBe(false);
    expect(configured('value', 'int64').apply(record({ valueSchema: Schemas.INT64, value: 2n ** 62n }))?.value).toBe(2n ** 62n);
  });

  it('rejects strings that are not numbers or out of range', () => {
    expect(() => configured('value', 'int8').apply(record({ valueSchema: Schemas.STRING, value: '128' }))).toThrow(/out of range for int8/);
    expect(() => configured('value', 'int32').apply(record({ valueSchema: Schemas.STRING, value: '4.2' }))).toThrow(DataError);
    expect(() => configured('value', 'float64').apply(record({ valueSchema: Schemas.STRING, value: 'abc' }))).toThrow(DataError);
  });

  it('casts logical types to their encoding or a wider/narrower primitive', () => {
    const schema = SchemaBuilder.struct()
      .field('date_to_int32', DateLogical.schema())
      .field('timestamp_to_int64', Timestamp.schema())
      .field('time_to_int64', Time.schema())
      .field('decimal_to_int32', Decimal.schema(0))
      .field('timestamp_to_float64', Timestamp.schema())
      .field('null_timestamp_to_int32', Timestamp.builder().optional().build())
      .build();
    const value = new Struct(schema)
      .put('date_to_int32', new Date(MS_PER_DAY))
      .put('timestamp_to_int64', new Date(0))
      .put('time_to_int64', new Date(1))
      .put('decimal_to_int32', { unscaled: 2n ** 31n, scale: 0 })
      .put('timestamp_to_float64', new Date(8.64e15));
    const t = configured('value', 'date_to_int32:int32,timestamp_to_int64:int64,time_to_int64:int64,decimal_to_int32:int32,timestamp_to_float64:float64,null_timestamp_to_int32:int32');
    const out = t.apply(record({ valueSchema: schema, value }));
    const v = out?.value as Struct;
    expect(v.get('date_to_int32')).toBe(1);
    expect(v.get('timestamp_to_int64')).toBe(0);
    expect(v.get('time_to_int64')).toBe(1);
    expect(v.get('decimal_to_int32')).toBe(-(2 ** 31));
    expect(v.get('timestamp_to_float64')).toBe(8.64e15);
    expect(v.get('null_timestamp_to_int32')).toBeNull();
    expect(out?.valueSchema?.fields.map((f) => f.schema.type)).toEqual(['int32', 'int64', 'int64', 'int32', 'float64', 'int32']);
    expect(out?.valueSchema?.field('null_timestamp_to_int32')?.schema.optional).toBe(true);
  });

  it('casts logical types to strings by value', () => {
    const schema = SchemaBuilder.struct().field('date', DateLogical.schema()).field('decimal', Decimal.schema(0)).field('time', Time.schema()).field('timestamp', Timestamp.schema()).build();
    const value = new Struct(schema)
      .put('date', new Date(MS_PER_DAY))
      .put('decimal', { unscaled: 1_982n, scale: 0 })
      .put('time', new Date(3_600_000))
      .put('timestamp', new Date(1_700_000_000_123));
    const v = configured('value', 'date:string,decimal:string,time:string,timestamp:string').apply(record({ valueSchema: schema, value }))?.value as Struct;
    expect(v.toJSON()).toEqual({ date: '1970-01-02', decimal: '1982', time: '01:00:00.000Z', timestamp: '2023-11-14T22:13:20.123Z' });
  });

  it('casts struct fields, keeping optionality and casting defaults', () => {
    const schema = SchemaBuilder.struct()
      .field('int8', Schemas.INT8)
      .field('int16', Schemas.OPTIONAL_INT16)
      .field('int32', SchemaBuilder.int32().defaultValue(2).build())
      .field('int64', Schemas.INT64)
      .field('float32', Schemas.FLOAT32)
      .field('float64', SchemaBuilder.float64().defaultValue(-1.125).build())
      .field('boolean', Schemas.BOOLEAN)
      .field('string', Schemas.STRING)
      .field('optional', Schemas.OPTIONAL_FLOAT32)
      .field('timestamp', Timestamp.schema())
      .field('bytes', Schemas.BYTES)
      .build();
    const value = new Struct(schema)
      .put('int8', 8)
      .put('int16', 16)
      .put('int32', 32)
      .put('int64', 64)
      .put('float32', 32)
      .put('float64', -64)
      .put('boolean', true)
      .put('string', '42')
      .put('timestamp', new Date(0))
      .put('bytes', new Uint8Array([0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10]));
    const t = configured('value', 'int8:int16,int16:int32,int32:int64,int64:boolean,float32:float64,float64:boolean,boolean:int8,string:int32,optional:int32,bytes:string');
    const out = t.apply(record({ valueSchema: schema, value }));
    const v = out?.value as Struct;
    const s = out?.valueSchema;
    expect(v.toJSON()).toEqual({ int8: 8, int16: 16, int32: 32, int64: true, float32: 32, float64: true, boolean: 1, string: 42, optional: null, timestamp: '1970-01-01T00:00:00.000Z', bytes: '/ty6mHZUMhA=' });
    expect(s?.fields.map((f) => f.schema.type)).toEqual(['int16', 'int32', 'int64', 'boolean', 'float64', 'boolean', 'int8', 'int32', 'int32', 'int64', 'string']);
    expect(s?.field('int16')?.schema.optional).toBe(true);
    expect(s?.field('int32')?.schema.defaultValue).toBe(2);
    expect(s?.field('float64')?.schema.defaultValue).toBe(true);
    expect(s?.field('timestamp')?.schema.name).toBe(Timestamp.LOGICAL_NAME);
    expect(() => v.validate()).not.toThrow();
  });

  it('casts schemaless map entries and adds null for absent ones', () => {
    const t = configured('value', 'int8:int16,int32:int64,int64:boolean,float64:boolean,boolean:int8,string:int32,absent:string');
    const out = t.apply(record({ value: new Map<string, unknown>([['int8', 8], ['int32', 32], ['int64', 64n], ['float64', -64.5], ['boolean', true], ['string', '42']]) }));
    expect(Object.fromEntries(out?.value as Map<string, unknown>)).toEqual({ int8: 8, int32: 32, int64: true, float64: true, boolean: 1, string: 42, absent: null });
  });

  it('rejects casting a struct field from a nested struct', () => {
    const inner = SchemaBuilder.struct().field('x', Schemas.INT32).build();
    const schema = SchemaBuilder.struct().field('s', inner).build();
    const value = new Struct(schema).put('s', new Struct(inner).put('x', 1));
    expect(() => configured('value', 's:string').apply(record({ valueSchema: schema, value }))).toThrow(/does not support casting from STRUCT/);
  });

  it('honours replace.null.with.default', () => {
    const schema = SchemaBuilder.struct().field('f', SchemaBuilder.int32().optional().defaultValue(7).build()).build();
    expect((configured('value', 'f:string').apply(record({ valueSchema: schema, value: new Struct(schema) }))?.value as Struct).getWithoutDefault('f')).toBe('7');
    expect((configured('value', 'f:string', { 'replace.null.with.default': 'false' }).apply(record({ valueSchema: schema, value: new Struct(schema) }))?.value as Struct).getWithoutDefault('f')).toBeNull();
  });
});
