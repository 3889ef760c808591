import { ConfigValidationError, DataError, SchemaBuilder, Schemas, sourceRecord, Struct, type Header, type Schema } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { HeaderFrom } from './header-from.js';

const configured = (side: 'key' | 'value', fields: string, headers: string, operation: string, extra: Record<string, string> = {}): HeaderFrom => {
  const t = new HeaderFrom(side);
  t.configure({ fields, headers, operation, ...extra });
  return t;
};
const existing: Header = { key: 'header1', schema: Schemas.STRING, value: 'existing-value' };
const STRUCT = SchemaBuilder.struct().field('foo', Schemas.STRING).build();
const schemaOf = (fields: [string, Schema][]): Schema => fields.reduce((b, [n, s]) => b.field(n, s), SchemaBuilder.struct()).build();

describe('HeaderFrom', () => {
  for (const side of ['key', 'value'] as const) {
    const make = (schema: Schema | null, value: unknown) =>
      sourceRecord({ sourcePartition: {}, sourceOffset: {}, topic: 't', headers: [existing], ...(side === 'key' ? { keySchema: schema, key: value } : { valueSchema: schema, value }) });
    const sideOf = (r: ReturnType<typeof make> | null) => (side === 'key' ? r?.key : r?.value);
    const schemaSideOf = (r: ReturnType<typeof make> | null) => (side === 'key' ? r?.keySchema : r?.valueSchema);

    describe(`$${side === 'key' ? 'Key' : 'Value'}`, () => {
      it('copies schemaless fields to headers and keeps them', () => {
        const out = configured(side, 'field1', 'inserted1', 'copy').apply(make(null, new Map([['field1', 'field1-value'], ['field2', 'field2-value']])));
        expect(sideOf(out)).toEqual(new Map([['field1', 'field1-value'], ['field2', 'field2-value']]));
        expect(out?.headers).toEqual([existing, { key: 'inserted1', schema: null, value: 'field1-value' }]);
      });

      it('moves schemaless fields to headers, the same field to two headers', () => {
        const out = configured(side, 'field1,field1', 'inserted1,inserted2', 'move').apply(make(null, { field1: 'v1', field2: 'v2' }));
        expect(sideOf(out)).toEqual({ field2: 'v2' });
        expect(out?.headers.map((h) => [h.key, h.value])).toEqual([['header1', 'existing-value'], ['inserted1', 'v1'], ['inserted2', 'v1']]);
      });

      it('copies struct fields with their schemas, appending after a same-named header', () => {
        const schema = schemaOf([['inserted1', Schemas.STRING], ['field2', Schemas.STRING]]);
        const value = new Struct(schema).put('inserted1', 'a').put('field2', 'b');
        const out = configured(side, 'inserted1', 'header1', 'copy').apply(make(schema, value));
        expect(sideOf(out)).toBe(value);
        expect(out?.headers).toEqual([existing, { key: 'header1', schema: Schemas.STRING, value: 'a' }]);
      });

      it('moves struct fields, removing them from the schema', () => {
        const schema = schemaOf([['field1', STRUCT], ['field2', Schemas.STRING]]);
        const nested = new Struct(STRUCT).put('foo', 'foo-value');
        const out = configured(side, 'field1', 'inserted1', 'move').apply(make(schema, new Struct(schema).put('field1', nested).put('field2', 'b')));
        expect(schemaSideOf(out)?.fields.map((f) => f.name)).toEqual(['field2']);
        expect((sideOf(out) as Struct).get('field2')).toBe('b');
        expect(out?.headers[1]).toEqual({ key: 'inserted1', schema: STRUCT, value: nested });
      });

      it('puts two fields into headers of the same name', () => {
        const out = configured(side, 'field1,field2', 'inserted1,inserted1', 'move').apply(make(null, { field1: 1, field2: 2 }));
        expect(out?.headers.filter((h) => h.key === 'inserted1').map((h) => h.value)).toEqual([1, 2]);
        expect(sideOf(out)).toEqual({});
      });
    });
  }

  it('honours replace.null.with.default for struct fields', () => {
    const schema = schemaOf([['f', SchemaBuilder.string().optional().defaultValue('d').build()]]);
    for (const [flag, expected] of [['true', 'd'], ['false', null]] as const) {
      const out = configured('value', 'f', 'h', 'copy', { 'replace.null.with.default': flag }).apply(
        sourceRecord({ sourcePartition: {}, sourceOffset: {}, topic: 't', valueSchema: schema, value: new Struct(schema) }),
      );
      expect(out?.headers[0]?.value).toBe(expected);
    }
  });

  it('rejects a null value, a non-struct and a field missing from the schema', () => {
    const t = configured('value', 'f', 'h', 'copy');
    const rec = (valueSchema: Schema | null, value: unknown) => sourceRecord({ sourcePartition: {}, sourceOffset: {}, topic: 't', valueSchema, value });
    expect(() => t.apply(rec(null, null))).toThrow(/header copy/);
    expect(() => t.apply(rec(Schemas.STRING, 'x'))).toThrow(DataError);
    const schema = schemaOf([['other', Schemas.STRING]]);
    expect(() => t.apply(rec(schema, new Struct(schema).put('other', 'x')))).toThrow(/Field does not exist: f/);
  });

  it('rejects mismatched, empty or unknown settings', () => {
    expect(() => configured('value', 'a,b', 'h', 'copy')).toThrow(/same number of elements/);
    expect(() => configured('value', 'a', 'h1,h2', 'copy')).toThrow(ConfigValidationError);
    expect(() => configured('value', '', '', 'copy')).toThrow(/fields/);
    expect(() => configured('value', 'a', 'h', 'teleport')).toThrow(/operation.*must be one of move, copy/);
  });
});
