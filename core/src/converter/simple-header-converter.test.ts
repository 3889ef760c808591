import { describe, expect, it } from 'vitest';
import { DateLogical, Decimal, Time, Timestamp } from '../data/logical.js';
import type { Schema } from '../data/schema.js';
import { SchemaBuilder, Schemas, schemaEquals } from '../data/schema-builder.js';
import { Struct } from '../data/struct.js';
import { SimpleHeaderConverter } from './simple-header-converter.js';

const c = new SimpleHeaderConverter();
c.configure({});
const write = (schema: Schema | null, value: unknown) => {
  const b = c.fromConnectHeader('t', 'h', schema, value);
  return b === null ? null : Buffer.from(b).toString('utf8');
};
const read = (text: string) => c.toConnectHeader('t', 'h', new Uint8Array(Buffer.from(text, 'utf8')));

describe('SimpleHeaderConverter writes values as text', () => {
  const person = SchemaBuilder.struct().field('name', Schemas.STRING).field('age', Schemas.OPTIONAL_INT32).build();
  it.each<[string, Schema | null, unknown, string]>([
    ['a top-level string as is', Schemas.STRING, 'hello "world"', 'hello "world"'],
    ['an integer', Schemas.INT32, 42, '42'],
    ['an int64 beyond 2^53', Schemas.INT64, 2n ** 60n, '1152921504606846976'],
    ['a double the Java way', Schemas.FLOAT64, 1, '1.0'],
    ['a float the Java way', Schemas.FLOAT32, 0.1, '0.1'],
    ['a boolean', Schemas.BOOLEAN, false, 'false'],
    ['bytes as base64', Schemas.BYTES, new Uint8Array([255, 0]), '/wA='],
    ['a decimal', Decimal.schema(2), { unscaled: 156n, scale: 2 }, '1.56'],
    ['a date', DateLogical.schema(), new Date(Date.UTC(2024, 0, 2)), '2024-01-02'],
    ['a time', Time.schema(), new Date(14_400_000), '04:00:00.000Z'],
    ['a timestamp', Timestamp.schema(), new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)), '2024-01-02T03:04:05.006Z'],
    ['an array with quoted, escaped strings', SchemaBuilder.array(Schemas.STRING).build(), ['a', 'b"c\\'], '["a","b\\"c\\\\"]'],
    ['a map', SchemaBuilder.map(Schemas.STRING, Schemas.INT32).build(), new Map([['a', 1], ['b', 2]]), '{"a":1,"b":2}'],
    ['a struct', person, new Struct(person).put('name', 'Ada'), '{"name":"Ada","age":null}'],
  ])('%s', (_name, schema, value, expected) => {
    expect(write(schema, value)).toBe(expected);
  });

  it('writes null as null bytes', () => {
    expect(c.fromConnectHeader('t', 'h', Schemas.OPTIONAL_STRING, null)).toBeNull();
  });
});

describe('SimpleHeaderConverter infers a schema when reading', () => {
  it.each<[string, Schema | null, unknown]>([
    ['', Schemas.STRING, ''],
    ['hello world', Schemas.STRING, 'hello world'],
    ['"quoted"', Schemas.STRING, '"quoted"'],
    ['true', Schemas.BOOLEAN, true],
    ['42', Schemas.INT8, 42],
    ['-300', Schemas.INT16, -300],
    ['70000', Schemas.INT32, 70000],
    ['3000000000', Schemas.INT64, 3000000000],
    ['9223372036854775807', Schemas.INT64, 9223372036854775807n],
    ['9223372036854775808', Decimal.schema(0), { unscaled: 9223372036854775808n, scale: 0 }],
    ['1.0', Schemas.INT8, 1],
    ['1.5', Schemas.FLOAT64, 1.5],
    ['-2.5e3', Schemas.INT16, -2500],
    ['2024-01-02', DateLogical.schema(), new Date(Date.UTC(2024, 0, 2))],
    ['04:00:00.000Z', Time.schema(), new Date(14_400_000)],
    ['2024-01-02T03:04:05.006Z', Timestamp.schema(), new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6))],
    ['2024-02-30', Schemas.STRING, '2024-02-30'],
    ['[1, 2, 300]', SchemaBuilder.array(Schemas.INT16).build(), [1, 2, 300]],
    ['["a","b\\"c"]', SchemaBuilder.array(Schemas.STRING).build(), ['a', 'b"c']],
    ['[1, null]', SchemaBuilder.array(Schemas.OPTIONAL_INT8).build(), [1, null]],
    ['[1, 2.5]', SchemaBuilder.array(Schemas.FLOAT64).build(), [1, 2.5]],
    ['[[1],[2,3]]', SchemaBuilder.array(SchemaBuilder.array(Schemas.INT8)).build(), [[1], [2, 3]]],
    ['["2024-01-02", 12:00:00.000Z]', null, [new Date(Date.UTC(2024, 0, 2)), new Date(43_200_000)]],
    ['[1,"a"]', null, [1, 'a']],
    ['[]', null, []],
    ['{"a":1,"b":1000}', SchemaBuilder.map(Schemas.STRING, Schemas.INT16).build(), new Map([['a', 1], ['b', 1000]])],
    ['{1:true}', SchemaBuilder.map(Schemas.INT8, Schemas.BOOLEAN).build(), new Map([[1, true]])],
    ['{"t":2024-01-02T03:04:05.006Z}', SchemaBuilder.map(Schemas.STRING, Timestamp.schema()).build(), new Map([['t', new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6))]])],
    ['{a:1}', Schemas.STRING, '{a:1}'],
    ['[1,,2]', Schemas.STRING, '[1,,2]'],
    ['[1, 2', Schemas.STRING, '[1, 2'],
    ['[1] trailing', Schemas.STRING, '[1] trailing'],
    ['null', null, null],
  ])('%j', (text, schema, value) => {
    const r = read(text);
    expect(schemaEquals(r.schema, schema), `schema of ${text}`).toBe(true);
    expect(r.value).toEqual(value);
  });

  it('reads null bytes as null', () => {
    expect(c.toConnectHeader('t', 'h', null)).toEqual({ schema: null, value: null });
  });

  it('reads back what it wrote for structured values', () => {
    const schema = SchemaBuilder.map(Schemas.STRING, SchemaBuilder.array(Schemas.INT32)).build();
    const value = new Map([['x', [1, 2]], ['y', [70000]]]);
    const r = read(write(schema, value)!);
    expect(r.value).toEqual(new Map([['x', [1, 2]], ['y', [70000]]]));
    expect(schemaEquals(r.schema, schema)).toBe(true);
  });
});

describe('SimpleHeaderConverter element schemas', () => {
  it('widens nested numeric element types to a common schema', () => {
    const r = read('[[1],[9007199254740993, 2.5]]');
    expect(schemaEquals(r.schema, SchemaBuilder.array(SchemaBuilder.array(Schemas.FLOAT64)).build())).toBe(true);
    expect(r.value).toEqual([[1], [9007199254740992, 2.5]]);
  });
});
