import { ConfigValidationError, DataError, SchemaBuilder, Schemas, sourceRecord, Struct } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { ValueToKey, valueToKeyPlugin } from './value-to-key.js';

const record = (init: Partial<Parameters<typeof sourceRecord>[0]>) => sourceRecord({ sourcePartition: {}, sourceOffset: {}, topic: 'test', ...init });
const configured = (config: Record<string, string>): ValueToKey => {
  const t = new ValueToKey();
  t.configure(config);
  return t;
};

describe('ValueToKey', () => {
  it('builds a schemaless key from the listed value entries', () => {
    const t = configured({ fields: 'a,b' });
    const out = t.apply(record({ value: new Map<string, unknown>([['a', 1], ['b', 2], ['c', 3]]) }));
    expect(out?.keySchema).toBeNull();
    expect(out?.key).toEqual(new Map([['a', 1], ['b', 2]]));
    expect(t.apply(record({ value: { a: 1, c: 3 } }))?.key).toEqual({ a: 1, b: null });
  });

  it('builds a struct key with the fields\' schemas, in the listed order', () => {
    const t = configured({ fields: 'b,a' });
    const schema = SchemaBuilder.struct().field('a', Schemas.INT32).field('b', Schemas.INT32).field('c', Schemas.INT32).build();
    const value = new Struct(schema).put('a', 1).put('b', 2).put('c', 3);
    const out = t.apply(record({ valueSchema: schema, value }));
    expect(out?.keySchema?.fields.map((f) => [f.name, f.schema.type])).toEqual([['b', 'int32'], ['a', 'int32']]);
    expect((out?.key as Struct).toJSON()).toEqual({ b: 2, a: 1 });
    expect(out?.value).toBe(value);
    expect(t.apply(record({ valueSchema: schema, value }))?.keySchema).toBe(out?.keySchema);
  });

  it('fails for a listed field the value schema lacks', () => {
    const t = configured({ fields: 'not_exist' });
    const schema = SchemaBuilder.struct().field('a', Schemas.INT32).build();
    expect(() => t.apply(record({ valueSchema: schema, value: new Struct(schema).put('a', 1) }))).toThrow(/Field does not exist: not_exist/);
  });

  it('honours replace.null.with.default', () => {
    const schema = SchemaBuilder.struct().field('a', SchemaBuilder.int32().optional().defaultValue(18).build()).build();
    for (const [flag, expected] of [['true', 18], ['false', null]] as const) {
      const out = configured({ fields: 'a', 'replace.null.with.default': flag }).apply(record({ valueSchema: schema, value: new Struct(schema) }));
      expect((out?.key as Struct).getWithoutDefault('a')).toBe(expected);
    }
  });

  it('rejects a tombstone, as Kafka Connect does', () => {
    const t = configured({ fields: 'a' });
    expect(() => t.apply(record({ value: null }))).toThrow(DataError);
  });

  it('requires a non-empty fields list', () => {
    expect(() => configured({})).toThrow(ConfigValidationError);
    expect(() => configured({ fields: '' })).toThrow(/fields/);
    expect(valueToKeyPlugin.className).toBe('org.apache.kafka.connect.transforms.ValueToKey');
  });
});
