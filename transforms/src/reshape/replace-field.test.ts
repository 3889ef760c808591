import { ConfigValidationError, DataError, SchemaBuilder, Schemas, sourceRecord, Struct } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { ReplaceField } from './replace-field.js';

const record = (init: Partial<Parameters<typeof sourceRecord>[0]>) => sourceRecord({ sourcePartition: {}, sourceOffset: {}, topic: 'test', ...init });
const configured = (side: 'key' | 'value', config: Record<string, string>): ReplaceField => {
  const t = new ReplaceField(side);
  t.configure(config);
  return t;
};

describe('ReplaceField', () => {
  it('leaves tombstones unchanged', () => {
    const t = configured('value', { exclude: 'dont' });
    const schemaless = record({ value: null });
    expect(t.apply(schemaless)).toBe(schemaless);
    const schema = SchemaBuilder.struct().field('dont', Schemas.STRING).build();
    const withSchema = record({ valueSchema: schema, value: null });
    expect(t.apply(withSchema)).toBe(withSchema);
  });

  it('excludes, includes and renames entries of a schemaless map', () => {
    const t = configured('value', { exclude: 'dont', renames: 'abc:xyz,foo:bar' });
    const value = new Map<string, unknown>([
      ['dont', 'whatever'],
      ['abc', 42],
      ['foo', true],
      ['etc', 'etc'],
    ]);
    expect(t.apply(record({ value }))?.value).toEqual(new Map<string, unknown>([['xyz', 42], ['bar', true], ['etc', 'etc']]));

    const include = configured('value', { include: 'abc,foo' });
    expect(include.apply(record({ value: { dont: 1, abc: 2, foo: 3 } }))?.value).toEqual({ abc: 2, foo: 3 });
  });

  it('derives a struct schema with the kept and renamed fields', () => {
    const t = configured('value', { include: 'abc,foo', exclude: 'foo', renames: 'abc:xyz' });
    const schema = SchemaBuilder.struct().name('n').field('dont', Schemas.STRING).field('abc', Schemas.INT32).field('foo', Schemas.BOOLEAN).field('etc', Schemas.STRING).build();
    const value = new Struct(schema).put('dont', 'whatever').put('abc', 42).put('foo', true).put('etc', 'etc');
    const out = t.apply(record({ valueSchema: schema, value }));
    expect(out?.valueSchema?.fields.map((f) => f.name)).toEqual(['xyz']);
    expect(out?.valueSchema?.name).toBe('n');
    expect((out?.value as Struct).get('xyz')).toBe(42);
  });

  it('renames key fields with ReplaceField$Key', () => {
    const t = configured('key', { renames: 'id:key_id' });
    const schema = SchemaBuilder.struct().field('id', Schemas.INT64).build();
    const out = t.apply(record({ keySchema: schema, key: new Struct(schema).put('id', 7), value: 'v' }));
    expect((out?.key as Struct).get('key_id')).toBe(7);
    expect(out?.value).toBe('v');
  });

  it('honours replace.null.with.default for value and key', () => {
    const schema = SchemaBuilder.struct().field('f', SchemaBuilder.string().optional().defaultValue('dflt').build()).build();
    for (const side of ['key', 'value'] as const) {
      for (const [flag, expected] of [['true', 'dflt'], ['false', null]] as const) {
        const t = configured(side, { include: 'f', 'replace.null.with.default': flag });
        const r = side === 'key' ? record({ keySchema: schema, key: new Struct(schema), value: 1 }) : record({ valueSchema: schema, value: new Struct(schema) });
        const out = t.apply(r);
        expect(((side === 'key' ? out?.key : out?.value) as Struct).getWithoutDefault('f')).toBe(expected);
      }
    }
  });

  it('rejects a non-struct value with a schema and a non-map value without one', () => {
    const t = configured('value', { exclude: 'x' });
    expect(() => t.apply(record({ valueSchema: Schemas.STRING, value: 'x' }))).toThrow(DataError);
    expect(() => t.apply(record({ value: 'x' }))).toThrow(/Only Map values.*field replacement/);
  });

  it('rejects a rename that is not a colon-delimited pair', () => {
    expect(() => configured('value', { renames: 'abc' })).toThrow(ConfigValidationError);
    expect(() => configured('value', { renames: 'a:b:c' })).toThrow(/renames/);
    expect(() => configured('value', { renames: 'a:' })).toThrow(/renames/);
  });
});
