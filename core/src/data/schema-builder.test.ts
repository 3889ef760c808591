import { describe, expect, it } from 'vitest';
import { DataError } from '../errors/connect-error.js';
import { Decimal } from './logical.js';
import { SchemaBuilder, Schemas, schemaEquals } from './schema-builder.js';

describe('SchemaBuilder', () => {
  it('builds primitive schemas that are required by default and frozen', () => {
    const s = SchemaBuilder.int32().build();
    expect(s.type).toBe('int32');
    expect(s.optional).toBe(false);
    expect(s.fields).toEqual([]);
    expect(Object.isFrozen(s)).toBe(true);
    expect(() => {
      (s as { optional: boolean }).optional = true;
    }).toThrow(TypeError);
  });

  it('records metadata: optional, name, version, doc and parameters in insertion order', () => {
    const s = SchemaBuilder.string().optional().name('com.example.Name').version(3).doc('a doc').parameter('b', '2').parameters({ a: '1' }).build();
    expect(s).toMatchObject({ type: 'string', optional: true, name: 'com.example.Name', version: 3, doc: 'a doc' });
    expect(Object.keys(s.parameters ?? {})).toEqual(['b', 'a']);
    expect(Object.isFrozen(s.parameters)).toBe(true);
  });

  it('lets required() undo optional()', () => {
    expect(SchemaBuilder.bool().optional().required().build().optional).toBe(false);
  });

  it('builds structs with ordered, indexed fields that can be looked up by name', () => {
    const s = SchemaBuilder.struct().name('Person').field('id', Schemas.INT64).field('name', Schemas.OPTIONAL_STRING).build();
    expect(s.fields.map((f) => [f.name, f.index])).toEqual([
      ['id', 0],
      ['name', 1],
    ]);
    expect(s.field('name')?.schema).toBe(Schemas.OPTIONAL_STRING);
    expect(s.field('missing')).toBeUndefined();
    expect(Object.isFrozen(s.fields)).toBe(true);
  });

  it('accepts a builder where a field schema is expected', () => {
    const s = SchemaBuilder.struct().field('n', SchemaBuilder.int8().optional()).build();
    expect(s.field('n')?.schema.optional).toBe(true);
  });

  it('rejects duplicate field names', () => {
    const b = SchemaBuilder.struct().field('a', Schemas.INT32);
    expect(() => b.field('a', Schemas.STRING)).toThrow(/already exists/);
  });

  it('rejects fields on non-struct schemas and empty field names', () => {
    expect(() => SchemaBuilder.int32().field('a', Schemas.INT32)).toThrow(DataError);
    expect(() => SchemaBuilder.struct().field('', Schemas.INT32)).toThrow(/non-empty name/);
  });

  it('refuses to set the name twice, as Kafka Connect does', () => {
    expect(() => SchemaBuilder.int32().name('a').name('b')).toThrow(/name has already been set/);
  });

  it('builds arrays and maps with their element schemas', () => {
    const arr = SchemaBuilder.array(Schemas.STRING).build();
    expect(arr.type).toBe('array');
    expect(arr.valueSchema).toBe(Schemas.STRING);
    const map = SchemaBuilder.map(Schemas.STRING, Schemas.INT32).optional().build();
    expect(map.keySchema).toBe(Schemas.STRING);
    expect(map.valueSchema).toBe(Schemas.INT32);
  });

  it('validates the default value when building', () => {
    expect(SchemaBuilder.int32().defaultValue(42).build().defaultValue).toBe(42);
    expect(() => SchemaBuilder.int32().defaultValue('x').build()).toThrow(DataError);
    expect(() => SchemaBuilder.int8().defaultValue(300).build()).toThrow(/out of range/);
    expect(() => Decimal.builder(2).defaultValue({ unscaled: 1n, scale: 3 }).build()).toThrow(/scale/);
  });

  it('creates builders by type name and rejects unknown types', () => {
    expect(SchemaBuilder.type('float64').build().type).toBe('float64');
    expect(() => SchemaBuilder.type('nope' as never)).toThrow(/Unknown schema type/);
  });

  it('provides required and optional primitive constants', () => {
    expect(Schemas.INT8).toMatchObject({ type: 'int8', optional: false });
    expect(Schemas.OPTIONAL_BYTES).toMatchObject({ type: 'bytes', optional: true });
    expect(Schemas.BOOLEAN.type).toBe('boolean');
    expect(Schemas.FLOAT32.type).toBe('float32');
  });
});

describe('schemaEquals', () => {
  const person = () =>
    SchemaBuilder.struct().name('P').field('id', Schemas.INT64).field('tags', SchemaBuilder.array(Schemas.STRING)).build();

  it('compares structurally, not by identity', () => {
    expect(schemaEquals(person(), person())).toBe(true);
    expect(schemaEquals(Schemas.INT32, SchemaBuilder.int32().build())).toBe(true);
  });

  it('sees differences in optionality, name, version, doc, parameters, defaults and fields', () => {
    const base = SchemaBuilder.int32().build();
    expect(schemaEquals(base, Schemas.OPTIONAL_INT32)).toBe(false);
    expect(schemaEquals(base, SchemaBuilder.int32().name('x').build())).toBe(false);
    expect(schemaEquals(base, SchemaBuilder.int32().version(1).build())).toBe(false);
    expect(schemaEquals(base, SchemaBuilder.int32().doc('d').build())).toBe(false);
    expect(schemaEquals(base, SchemaBuilder.int32().parameter('k', 'v').build())).toBe(false);
    expect(schemaEquals(base, SchemaBuilder.int32().defaultValue(1).build())).toBe(false);
    expect(schemaEquals(person(), SchemaBuilder.struct().name('P').field('id', Schemas.INT64).build())).toBe(false);
    expect(schemaEquals(SchemaBuilder.array(Schemas.INT32).build(), SchemaBuilder.array(Schemas.INT64).build())).toBe(false);
  });

  it('treats null as equal only to null', () => {
    expect(schemaEquals(null, null)).toBe(true);
    expect(schemaEquals(Schemas.INT32, null)).toBe(false);
  });

  it('compares byte defaults by content', () => {
    const a = SchemaBuilder.bytes().defaultValue(new Uint8Array([1, 2])).build();
    const b = SchemaBuilder.bytes().defaultValue(new Uint8Array([1, 2])).build();
    const c = SchemaBuilder.bytes().defaultValue(new Uint8Array([1, 3])).build();
    expect(schemaEquals(a, b)).toBe(true);
    expect(schemaEquals(a, c)).toBe(false);
  });
});
