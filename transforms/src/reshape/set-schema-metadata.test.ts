import { ConfigValidationError, DataError, SchemaBuilder, Schemas, sourceRecord, Struct } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { SetSchemaMetadata } from './set-schema-metadata.js';

const record = (init: Partial<Parameters<typeof sourceRecord>[0]>) => sourceRecord({ sourcePartition: {}, sourceOffset: {}, topic: 'test', ...init });
const configured = (side: 'key' | 'value', config: Record<string, string>): SetSchemaMetadata => {
  const t = new SetSchemaMetadata(side);
  t.configure(config);
  return t;
};

describe('SetSchemaMetadata', () => {
  it('sets the name, the version, or both', () => {
    const schema = SchemaBuilder.struct().name('old').version(1).build();
    const value = new Struct(schema);
    expect(configured('value', { 'schema.name': 'foo' }).apply(record({ valueSchema: schema, value }))?.valueSchema).toMatchObject({ name: 'foo', version: 1 });
    expect(configured('value', { 'schema.version': '42' }).apply(record({ valueSchema: schema, value }))?.valueSchema).toMatchObject({ name: 'old', version: 42 });
    expect(configured('key', { 'schema.name': 'foo', 'schema.version': '42' }).apply(record({ keySchema: schema, key: value }))?.keySchema).toMatchObject({
      name: 'foo',
      version: 42,
    });
  });

  it('re-creates a struct value against the renamed schema', () => {
    const schema = SchemaBuilder.struct().field('stringField', Schemas.STRING).field('intField', Schemas.INT32).build();
    const value = new Struct(schema).put('stringField', 'value').put('intField', 1);
    const out = configured('value', { 'schema.name': 'foo', 'schema.version': '42' }).apply(record({ valueSchema: schema, value }));
    const v = out?.value as Struct;
    expect(v.schema).toBe(out?.valueSchema);
    expect(v.schema.name).toBe('foo');
    expect(v.get('stringField')).toBe('value');
    expect(v.get('intField')).toBe(1);
    expect(() => v.validate()).not.toThrow();
  });

  it('copies a null field as null or its default per replace.null.with.default', () => {
    const schema = SchemaBuilder.struct().field('f', SchemaBuilder.string().optional().defaultValue('d').build()).build();
    for (const [flag, expected] of [['true', 'd'], ['false', null]] as const) {
      const out = configured('value', { 'schema.name': 'x', 'replace.null.with.default': flag }).apply(record({ valueSchema: schema, value: new Struct(schema) }));
      expect((out?.value as Struct).getWithoutDefault('f')).toBe(expected);
    }
  });

  it('keeps type, optionality, doc, parameters and default of non-struct schemas', () => {
    const schema = SchemaBuilder.map(Schemas.STRING, Schemas.INT32).optional().doc('d').parameter('p', 'v').build();
    const out = configured('value', { 'schema.name': 'n' }).apply(record({ valueSchema: schema, value: new Map([['a', 1]]) }));
    expect(out?.valueSchema).toMatchObject({ type: 'map', optional: true, doc: 'd', parameters: { p: 'v' }, name: 'n' });
    expect(out?.valueSchema?.keySchema).toBe(Schemas.STRING);
    expect(out?.value).toEqual(new Map([['a', 1]]));
    const withDefault = SchemaBuilder.int32().defaultValue(5).build();
    expect(configured('value', { 'schema.version': '2' }).apply(record({ valueSchema: withDefault, value: 1 }))?.valueSchema?.defaultValue).toBe(5);
  });

  it('renames the schema of a null value and passes a record with neither schema nor value', () => {
    const out = configured('value', { 'schema.name': 'n' }).apply(record({ valueSchema: Schemas.OPTIONAL_STRING, value: null }));
    expect(out?.valueSchema?.name).toBe('n');
    expect(out?.value).toBeNull();
    const bare = record({ value: null });
    expect(configured('value', { 'schema.name': 'n' }).apply(bare)).toBe(bare);
  });

  it('requires a schema when there is a value', () => {
    expect(() => configured('value', { 'schema.name': 'n' }).apply(record({ value: 'x' }))).toThrow(DataError);
    expect(() => configured('value', { 'schema.name': 'n' }).apply(record({ value: 'x' }))).toThrow(/Schema required for \[updating schema metadata\]/);
  });

  it('rejects a config with neither name nor version, or a non-integer version', () => {
    expect(() => configured('value', {})).toThrow(ConfigValidationError);
    expect(() => configured('value', {})).toThrow(/Neither schema name nor version configured/);
    expect(() => configured('value', { 'schema.version': 'one' })).toThrow(/schema.version/);
  });
});
