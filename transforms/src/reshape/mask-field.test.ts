import { ConfigValidationError, DataError, DateLogical, Decimal, SchemaBuilder, Schemas, sourceRecord, Struct, Time, Timestamp } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { MaskField } from './mask-field.js';

const record = (init: Partial<Parameters<typeof sourceRecord>[0]>) => sourceRecord({ sourcePartition: {}, sourceOffset: {}, topic: 'test', ...init });
const configured = (side: 'key' | 'value', config: Record<string, string>): MaskField => {
  const t = new MaskField(side);
  t.configure(config);
  return t;
};

const SCHEMA = SchemaBuilder.struct()
  .field('magic', Schemas.INT32)
  .field('bool', Schemas.BOOLEAN)
  .field('byte', Schemas.INT8)
  .field('short', Schemas.INT16)
  .field('int', Schemas.INT32)
  .field('long', Schemas.INT64)
  .field('float', Schemas.FLOAT32)
  .field('double', Schemas.FLOAT64)
  .field('string', Schemas.STRING)
  .field('date', DateLogical.schema())
  .field('time', Time.schema())
  .field('timestamp', Timestamp.schema())
  .field('decimal', Decimal.schema(2))
  .field('array', SchemaBuilder.array(Schemas.INT32))
  .field('map', SchemaBuilder.map(Schemas.STRING, Schemas.STRING))
  .field('withDefault', SchemaBuilder.string().optional().defaultValue('default').build())
  .build();

function structValue(): Struct {
  return new Struct(SCHEMA)
    .put('magic', 42)
    .put('bool', true)
    .put('byte', 42)
    .put('short', 42)
    .put('int', 42)
    .put('long', 42n)
    .put('float', 42.5)
    .put('double', 42.25)
    .put('string', 'hmm')
    .put('date', new Date(86_400_000))
    .put('time', new Date(1_000))
    .put('timestamp', new Date(123_456))
    .put('decimal', { unscaled: 4_200n, scale: 2 })
    .put('array', [1, 2, 3])
    .put('map', new Map([['what', 'what']]));
}

const MASKED = 'bool,byte,short,int,long,float,double,string,date,time,timestamp,decimal,array,map,withDefault';

describe('MaskField', () => {
  it('masks schemaless entries with the empty value of their type', () => {
    const t = configured('value', { fields: 'bool,int,long,double,string,date,list,map,bigdec,missing' });
    const value = new Map<string, unknown>([
      ['magic', 42],
      ['bool', true],
      ['int', 42],
      ['long', 42n],
      ['double', 1.5],
      ['string', '55.121.20.20'],
      ['date', new Date()],
      ['list', [42]],
      ['map', new Map([['k', 'v']])],
      ['bigdec', { unscaled: 420n, scale: 1 }],
    ]);
    const out = t.apply(record({ value }))?.value as Map<string, unknown>;
    expect(out.get('magic')).toBe(42);
    expect(out.get('bool')).toBe(false);
    expect(out.get('int')).toBe(0);
    expect(out.get('long')).toBe(0n);
    expect(out.get('double')).toBe(0);
    expect(out.get('string')).toBe('');
    expect(out.get('date')).toEqual(new Date(0));
    expect(out.get('list')).toEqual([]);
    expect(out.get('map')).toEqual(new Map());
    expect(out.get('bigdec')).toEqual({ unscaled: 0n, scale: 1 });
    // As in Kafka Connect, a listed field that is absent comes out as an explicit null.
    expect(out.has('missing')).toBe(true);
    expect(out.get('missing')).toBeNull();
  });

  it('masks struct fields and keeps the schema', () => {
    const t = configured('value', { fields: MASKED });
    const out = t.apply(record({ valueSchema: SCHEMA, value: structValue() }));
    expect(out?.valueSchema).toBe(SCHEMA);
    const v = out?.value as Struct;
    expect(v.get('magic')).toBe(42);
    expect(v.get('bool')).toBe(false);
    expect(v.get('byte')).toBe(0);
    expect(v.get('long')).toBe(0n);
    expect(v.get('float')).toBe(0);
    expect(v.get('string')).toBe('');
    expect(v.get('date')).toEqual(new Date(0));
    expect(v.get('time')).toEqual(new Date(0));
    expect(v.get('timestamp')).toEqual(new Date(0));
    expect(v.get('decimal')).toEqual({ unscaled: 0n, scale: 2 });
    expect(v.get('array')).toEqual([]);
    expect(v.get('map')).toEqual(new Map());
    // The default was read in (replace.null.with.default) and masked.
    expect(v.get('withDefault')).toBe('');
    expect(() => v.validate()).not.toThrow();
  });

  it('keeps a null field with a default null when replace.null.with.default is false', () => {
    const t = configured('value', { fields: 'withDefault', 'replace.null.with.default': 'false' });
    const v = t.apply(record({ valueSchema: SCHEMA, value: structValue() }))?.value as Struct;
    expect(v.getWithoutDefault('withDefault')).toBeNull();
  });

  it('uses the replacement converted to each field type', () => {
    const t = configured('value', { fields: 'byte,short,int,long,float,double,string,decimal', replacement: '123' });
    const v = t.apply(record({ valueSchema: SCHEMA, value: structValue() }))?.value as Struct;
    expect(v.get('byte')).toBe(123);
    expect(v.get('short')).toBe(123);
    expect(v.get('int')).toBe(123);
    expect(v.get('long')).toBe(123n);
    expect(v.get('float')).toBe(123);
    expect(v.get('double')).toBe(123);
    expect(v.get('string')).toBe('123');
    expect(v.get('decimal')).toEqual({ unscaled: 12_300n, scale: 2 });

    const schemaless = configured('value', { fields: 'int,string', replacement: '123' });
    expect(schemaless.apply(record({ value: { int: 42, string: 'x' } }))?.value).toEqual({ int: 123, string: '123' });
  });

  it('rejects a replacement for types that cannot take one', () => {
    for (const [field, value] of [['date', new Date()], ['bool', false], ['list', ['123']], ['map', new Map([['1', '2']])]] as const) {
      const t = configured('value', { fields: field, replacement: '123' });
      expect(() => t.apply(record({ value: new Map<string, unknown>([[field, value]]) }))).toThrow(/Cannot mask value of type .* with a custom replacement/);
    }
    const t = configured('value', { fields: 'date', replacement: '123' });
    expect(() => t.apply(record({ valueSchema: SCHEMA, value: structValue() }))).toThrow(DataError);
  });

  it('rejects a replacement that does not fit the field type', () => {
    for (const field of ['byte', 'short', 'int', 'long', 'float', 'double', 'decimal']) {
      const t = configured('value', { fields: field, replacement: 'foo' });
      expect(() => t.apply(record({ valueSchema: SCHEMA, value: structValue() }))).toThrow(/Unable to convert the configured replacement/);
    }
    const tooBig = configured('value', { fields: 'byte', replacement: '1000' });
    expect(() => tooBig.apply(record({ valueSchema: SCHEMA, value: structValue() }))).toThrow(DataError);
  });

  it('cannot mask bytes or nested structs', () => {
    const inner = SchemaBuilder.struct().field('x', Schemas.INT32).build();
    const schema = SchemaBuilder.struct().field('b', Schemas.BYTES).field('s', inner).build();
    const value = new Struct(schema).put('b', new Uint8Array([1])).put('s', new Struct(inner).put('x', 1));
    expect(() => configured('value', { fields: 'b' }).apply(record({ valueSchema: schema, value }))).toThrow(/Cannot mask value of type: bytes/);
    expect(() => configured('value', { fields: 's' }).apply(record({ valueSchema: schema, value }))).toThrow(/Cannot mask value of type: Struct/);
  });

  it('rejects a null value, as Kafka Connect does', () => {
    const t = configured('value', { fields: 'a' });
    expect(() => t.apply(record({ value: null }))).toThrow(/Only Map values.*mask fields.*found: null/);
    expect(() => t.apply(record({ valueSchema: SCHEMA, value: null }))).toThrow(DataError);
  });

  it('masks the key with MaskField$Key', () => {
    const t = configured('key', { fields: 'ssn' });
    const out = t.apply(record({ key: { ssn: '123-45-6789', id: 1 }, value: 'v' }));
    expect(out?.key).toEqual({ ssn: '', id: 1 });
    expect(out?.value).toBe('v');
  });

  it('rejects an empty fields list or an empty replacement', () => {
    expect(() => configured('value', {})).toThrow(ConfigValidationError);
    expect(() => configured('value', { fields: '' })).toThrow(/fields/);
    expect(() => configured('value', { fields: 'a', replacement: '' })).toThrow(/replacement/);
  });
});
