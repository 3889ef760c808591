import { ConfigValidationError, DataError, SchemaBuilder, Schemas, sourceRecord, Struct } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { HoistField } from './hoist-field.js';

const record = (init: Partial<Parameters<typeof sourceRecord>[0]>) => sourceRecord({ sourcePartition: {}, sourceOffset: {}, topic: 'test', ...init });
const configured = (side: 'key' | 'value', field: string): HoistField => {
  const t = new HoistField(side);
  t.configure({ field });
  return t;
};

describe('HoistField', () => {
  it('wraps a schemaless key in a one-entry Map', () => {
    const out = configured('key', 'magic').apply(record({ key: 42, value: 'v' }));
    expect(out?.keySchema).toBeNull();
    expect(out?.key).toEqual(new Map([['magic', 42]]));
    expect(out?.value).toBe('v');
  });

  it('wraps a key with a schema in a one-field Struct and caches the schema', () => {
    const t = configured('key', 'magic');
    const out = t.apply(record({ keySchema: Schemas.INT32, key: 42 }));
    expect(out?.keySchema?.type).toBe('struct');
    expect(out?.keySchema?.field('magic')?.schema).toBe(Schemas.INT32);
    expect((out?.key as Struct).get('magic')).toBe(42);
    expect(t.apply(record({ keySchema: Schemas.INT32, key: 1 }))?.keySchema).toBe(out?.keySchema);
  });

  it('wraps a null schemaless value and a null optional value', () => {
    const t = configured('value', 'v');
    expect(t.apply(record({ value: null }))?.value).toEqual(new Map([['v', null]]));
    const out = t.apply(record({ valueSchema: Schemas.OPTIONAL_STRING, value: null }));
    expect((out?.value as Struct).get('v')).toBeNull();
  });

  it('fails to wrap a null value whose schema is required', () => {
    expect(() => configured('value', 'v').apply(record({ valueSchema: Schemas.STRING, value: null }))).toThrow(DataError);
  });

  it('wraps structs too', () => {
    const inner = SchemaBuilder.struct().field('a', Schemas.INT32).build();
    const out = configured('value', 'payload').apply(record({ valueSchema: inner, value: new Struct(inner).put('a', 1) }));
    expect(((out?.value as Struct).getStruct('payload') as Struct).get('a')).toBe(1);
  });

  it('requires the field setting', () => {
    expect(() => new HoistField('value').configure({})).toThrow(ConfigValidationError);
    expect(() => new HoistField('value').configure({})).toThrow(/Missing required configuration "field"/);
  });
});
