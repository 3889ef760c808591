import { DataError, SchemaBuilder, Schemas, sourceRecord, Struct } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { Flatten } from './flatten.js';

const record = (init: Partial<Parameters<typeof sourceRecord>[0]>) => sourceRecord({ sourcePartition: {}, sourceOffset: {}, topic: 'test', ...init });
const configured = (side: 'key' | 'value', config: Record<string, string> = {}): Flatten => {
  const t = new Flatten(side);
  t.configure(config);
  return t;
};

describe('Flatten', () => {
  it('requires a Struct with a schema and a map without one', () => {
    expect(() => configured('value').apply(record({ valueSchema: Schemas.INT32, value: 42 }))).toThrow(DataError);
    expect(() => configured('value').apply(record({ value: 42 }))).toThrow(/Only Map values.*flattening/);
  });

  it('flattens nested structs into delimiter-joined field names', () => {
    const leaf = SchemaBuilder.struct()
      .field('int8', Schemas.INT8)
      .field('int64', Schemas.INT64)
      .field('float64', Schemas.FLOAT64)
      .field('boolean', Schemas.BOOLEAN)
      .field('string', Schemas.STRING)
      .field('bytes', Schemas.BYTES)
      .build();
    const mid = SchemaBuilder.struct().field('B', leaf).build();
    const top = SchemaBuilder.struct().name('top').field('A', mid).build();
    const value = new Struct(top).put(
      'A',
      new Struct(mid).put('B', new Struct(leaf).put('int8', 8).put('int64', 64n).put('float64', 64.5).put('boolean', true).put('string', 'str').put('bytes', new Uint8Array([1]))),
    );
    const out = configured('value', { delimiter: '#' }).apply(record({ valueSchema: top, value }));
    expect(out?.valueSchema?.name).toBe('top');
    expect(out?.valueSchema?.fields.map((f) => f.name)).toEqual(['A#B#int8', 'A#B#int64', 'A#B#float64', 'A#B#boolean', 'A#B#string', 'A#B#bytes']);
    const v = out?.value as Struct;
    expect(v.get('A#B#int8')).toBe(8);
    expect(v.get('A#B#int64')).toBe(64n);
    expect(v.get('A#B#string')).toBe('str');
    expect(v.get('A#B#bytes')).toEqual(new Uint8Array([1]));
  });

  it('flattens nested schemaless maps and keeps the map kind', () => {
    const value = new Map<string, unknown>([['A', new Map<string, unknown>([['B', { int: 1, str: 's', arr: [1, 2] }], ['n', null]])]]);
    const out = configured('value', { delimiter: '#' }).apply(record({ value }))?.value as Map<string, unknown>;
    expect(out).toBeInstanceOf(Map);
    expect(Object.fromEntries(out)).toEqual({ 'A#B#int': 1, 'A#B#str': 's', 'A#B#arr': [1, 2], 'A#n': null });
    expect(configured('value').apply(record({ value: { a: { b: 1 } } }))?.value).toEqual({ 'a.b': 1 });
  });

  it('keeps optional fields optional and unset', () => {
    const schema = SchemaBuilder.struct().field('opt_int32', Schemas.OPTIONAL_INT32).build();
    const out = configured('value').apply(record({ valueSchema: schema, value: new Struct(schema) }));
    expect(out?.valueSchema?.field('opt_int32')?.schema.optional).toBe(true);
    expect((out?.value as Struct).get('opt_int32')).toBeNull();
  });

  it('makes children of an optional struct optional and leaves their values unset when it is null', () => {
    const inner = SchemaBuilder.struct().optional().field('req', Schemas.STRING).build();
    const outer = SchemaBuilder.struct().field('inner', inner).build();
    const out = configured('value').apply(record({ valueSchema: outer, value: new Struct(outer) }));
    expect(out?.valueSchema?.field('inner.req')?.schema.optional).toBe(true);
    expect((out?.value as Struct).get('inner.req')).toBeNull();
    expect(() => (out?.value as Struct).validate()).not.toThrow();
  });

  it('takes defaults from the parent struct\'s default value', () => {
    const builder = SchemaBuilder.struct()
      .optional()
      .field('req_field', Schemas.STRING)
      .field('opt_field', SchemaBuilder.string().optional().defaultValue('child_default').build());
    const childDefault = new Struct(builder.build()).put('req_field', 'req_default');
    const schema = builder.defaultValue(childDefault).build();
    const out = configured('value').apply(record({ valueSchema: schema, value: new Struct(schema) }));
    const s = out?.valueSchema;
    expect(s?.fields).toHaveLength(2);
    expect(s?.field('req_field')?.schema).toMatchObject({ optional: true, defaultValue: 'req_default' });
    expect(s?.field('opt_field')?.schema).toMatchObject({ optional: true, defaultValue: 'child_default' });
  });

  it('flattens the key with Flatten$Key', () => {
    const out = configured('key').apply(record({ key: { A: { B: 12 } }, value: 'v' }));
    expect(out?.key).toEqual({ 'A.B': 12 });
    expect(out?.value).toBe('v');
  });

  it('leaves arrays untouched, with and without a schema', () => {
    expect(configured('value').apply(record({ value: { arr: [{ a: 1 }] } }))?.value).toEqual({ arr: [{ a: 1 }] });
    const arr = SchemaBuilder.array(Schemas.STRING).build();
    const schema = SchemaBuilder.struct().field('n', SchemaBuilder.struct().field('arr', arr).build()).build();
    const value = new Struct(schema).put('n', new Struct(schema.field('n')!.schema).put('arr', ['a', 'b']));
    const out = configured('value').apply(record({ valueSchema: schema, value }));
    expect(out?.valueSchema?.field('n.arr')?.schema.type).toBe('array');
    expect((out?.value as Struct).get('n.arr')).toEqual(['a', 'b']);
  });

  it('passes tombstones through unchanged', () => {
    const schemaless = record({ value: null });
    expect(configured('value').apply(schemaless)).toBe(schemaless);
    const schema = SchemaBuilder.struct().optional().field('a', Schemas.OPTIONAL_INT32).build();
    const withSchema = record({ valueSchema: schema, value: null });
    expect(configured('value').apply(withSchema)).toBe(withSchema);
  });

  it('keeps struct values with null fields equal when there is nothing to flatten', () => {
    const schema = SchemaBuilder.struct().field('firstNull', Schemas.OPTIONAL_STRING).field('nonNull', Schemas.OPTIONAL_STRING).build();
    const value = new Struct(schema).put('nonNull', 'x');
    expect((configured('value').apply(record({ valueSchema: schema, value }))?.value as Struct).equals(value)).toBe(true);
  });

  it('rejects map fields with a schema and structs in schemaless data', () => {
    const schema = SchemaBuilder.struct().field('m', SchemaBuilder.map(Schemas.STRING, Schemas.STRING)).build();
    expect(() => configured('value').apply(record({ valueSchema: schema, value: new Struct(schema).put('m', new Map()) }))).toThrow(/MAP fields.*field m/);
    const s = SchemaBuilder.struct().field('x', Schemas.INT32).build();
    expect(() => configured('value').apply(record({ value: { s: new Struct(s).put('x', 1) } }))).toThrow(/Struct values in schemaless/);
  });

  it('caches the flattened schema per input schema', () => {
    const t = configured('value');
    const schema = SchemaBuilder.struct().field('a', SchemaBuilder.struct().field('b', Schemas.INT32)).build();
    const make = () => new Struct(schema).put('a', new Struct(schema.field('a')!.schema).put('b', 1));
    expect(t.apply(record({ valueSchema: schema, value: make() }))?.valueSchema).toBe(t.apply(record({ valueSchema: schema, value: make() }))?.valueSchema);
  });
});
