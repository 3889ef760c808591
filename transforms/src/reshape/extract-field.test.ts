import { ConfigValidationError, DataError, SchemaBuilder, Schemas, sourceRecord, Struct } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { ExtractField } from './extract-field.js';

const record = (init: Partial<Parameters<typeof sourceRecord>[0]>) => sourceRecord({ sourcePartition: {}, sourceOffset: {}, topic: 'test', ...init });
const configured = (side: 'key' | 'value', config: Record<string, string>): ExtractField => {
  const t = new ExtractField(side);
  t.configure(config);
  return t;
};

const BAR = SchemaBuilder.struct().field('bar', Schemas.INT32).build();
const FOO = SchemaBuilder.struct().field('magic', Schemas.INT32).field('foo', BAR).build();
const fooValue = (): Struct => new Struct(FOO).put('magic', 42).put('foo', new Struct(BAR).put('bar', 7));

describe('ExtractField', () => {
  it('extracts an entry of a schemaless key', () => {
    const out = configured('key', { field: 'magic' }).apply(record({ key: new Map([['magic', 42]]) }));
    expect(out?.keySchema).toBeNull();
    expect(out?.key).toBe(42);
  });

  it('extracts a nested schemaless entry with field.syntax.version=V2', () => {
    const key = new Map([['magic', new Map([['foo', 42]])]]);
    expect(configured('key', { field: 'magic.foo', 'field.syntax.version': 'v2' }).apply(record({ key }))?.key).toBe(42);
    // V1 reads the whole name as one top-level field.
    expect(configured('key', { field: 'magic.foo' }).apply(record({ key }))?.key).toBeNull();
  });

  it('keeps a null schemaless key null', () => {
    expect(configured('key', { field: 'magic' }).apply(record({ key: null }))?.key).toBeNull();
  });

  it('extracts a struct field and takes its schema', () => {
    const out = configured('value', { field: 'magic' }).apply(record({ valueSchema: FOO, value: fooValue() }));
    expect(out?.valueSchema).toBe(Schemas.INT32);
    expect(out?.value).toBe(42);
  });

  it('extracts a nested struct field with V2', () => {
    const out = configured('value', { field: 'foo.bar', 'field.syntax.version': 'V2' }).apply(record({ valueSchema: FOO, value: fooValue() }));
    expect(out?.valueSchema).toBe(Schemas.INT32);
    expect(out?.value).toBe(7);
  });

  it('keeps a null value null but takes the field schema', () => {
    const optional = SchemaBuilder.struct().optional().field('magic', Schemas.INT32).build();
    const out = configured('value', { field: 'magic' }).apply(record({ valueSchema: optional, value: null }));
    expect(out?.valueSchema).toBe(Schemas.INT32);
    expect(out?.value).toBeNull();
  });

  it('returns null for a missing schemaless field, top-level or nested', () => {
    expect(configured('key', { field: 'nope' }).apply(record({ key: { magic: 1 } }))?.key).toBeNull();
    expect(configured('key', { field: 'magic.nope', 'field.syntax.version': 'V2' }).apply(record({ key: { magic: { foo: 1 } } }))?.key).toBeNull();
  });

  it('fails for a field missing from the schema, top-level or nested', () => {
    expect(() => configured('value', { field: 'nope' }).apply(record({ valueSchema: FOO, value: fooValue() }))).toThrow(/Unknown field: nope/);
    expect(() => configured('value', { field: 'foo.nope', 'field.syntax.version': 'V2' }).apply(record({ valueSchema: FOO, value: fooValue() }))).toThrow(DataError);
  });

  it('reads an unset optional field as its default only when replace.null.with.default is true', () => {
    const schema = SchemaBuilder.struct().field('f', SchemaBuilder.int32().optional().defaultValue(18).build()).build();
    expect(configured('value', { field: 'f' }).apply(record({ valueSchema: schema, value: new Struct(schema) }))?.value).toBe(18);
    expect(configured('value', { field: 'f', 'replace.null.with.default': 'false' }).apply(record({ valueSchema: schema, value: new Struct(schema) }))?.value).toBeNull();
  });

  it('rejects a non-struct, non-map value', () => {
    expect(() => configured('value', { field: 'x' }).apply(record({ value: 'text' }))).toThrow(/field extraction/);
    expect(() => configured('value', { field: 'x' }).apply(record({ valueSchema: Schemas.STRING, value: 'text' }))).toThrow(DataError);
  });

  it('rejects a missing field, an unknown syntax version and an unclosed backtick', () => {
    expect(() => configured('value', {})).toThrow(ConfigValidationError);
    expect(() => configured('value', { field: 'a', 'field.syntax.version': 'V3' })).toThrow(/field.syntax.version/);
    expect(() => configured('value', { field: 'foo.`bar', 'field.syntax.version': 'V2' })).toThrow(/Incomplete backtick pair.*position 4/);
  });
});
