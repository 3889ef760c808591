import { describe, expect, it } from 'vitest';
import { DataError } from '../errors/connect-error.js';
import { Decimal, Timestamp } from './logical.js';
import { SchemaBuilder, Schemas, schemaEquals } from './schema-builder.js';
import { Struct } from './struct.js';
import { asOptional, inferSchema, validateValue, valueEquals } from './values.js';

describe('validateValue', () => {
  it('accepts the documented representation of every type', () => {
    const ok: [ReturnType<typeof SchemaBuilder.prototype.build>, unknown][] = [
      [Schemas.INT8, -128],
      [Schemas.INT16, 32767],
      [Schemas.INT32, -2147483648],
      [Schemas.INT64, 2n ** 63n - 1n],
      [Schemas.INT64, 5],
      [Schemas.FLOAT32, 1.5],
      [Schemas.FLOAT64, Number.NaN],
      [Schemas.BOOLEAN, false],
      [Schemas.STRING, ''],
      [Schemas.BYTES, Buffer.from('x')],
      [SchemaBuilder.array(Schemas.INT32).build(), [1, 2]],
      [SchemaBuilder.map(Schemas.STRING, Schemas.INT32).build(), { a: 1 }],
      [SchemaBuilder.map(Schemas.INT32, Schemas.STRING).build(), new Map([[1, 'a']])],
      [Decimal.schema(1), Decimal.fromString('1.5')],
      [Timestamp.schema(), new Date()],
      [Schemas.OPTIONAL_STRING, null],
    ];
    for (const [schema, value] of ok) expect(() => validateValue(schema, value)).not.toThrow();
  });

  it('rejects wrong types with a DataError naming the path but not the value', () => {
    let caught: unknown;
    try {
      validateValue(SchemaBuilder.array(Schemas.STRING).build(), ['ok', 'secret-payload', 42], 'payload.items');
    } catch (err) {
      caught = err;
    }
    expect(DataError.is(caught)).toBe(true);
    expect((caught as Error).message).toMatch(/"payload\.items\[2\]"/);
    expect((caught as Error).message).not.toMatch(/42|secret/);
  });

  it('rejects plain objects for maps with non-string keys, and out-of-range integers', () => {
    expect(() => validateValue(SchemaBuilder.map(Schemas.INT32, Schemas.INT32).build(), { 1: 2 })).toThrow(/string keys/);
    expect(() => validateValue(Schemas.INT8, 128)).toThrow(/out of range/);
    expect(() => validateValue(Schemas.INT64, 2 ** 64)).toThrow(/out of range/);
    expect(() => validateValue(Schemas.INT32, 5n)).toThrow(DataError);
  });

  it('names map entries by position, never by key', () => {
    expect(() => validateValue(SchemaBuilder.map(Schemas.STRING, Schemas.INT32).build(), new Map([['k', 'v']]), 'm')).toThrow(/"m\[0\]\.value"/);
  });

  it('allows null for optional schemas and schemas with a default only', () => {
    expect(() => validateValue(Schemas.INT32, null)).toThrow(/null used for required field/);
    expect(() => validateValue(SchemaBuilder.int32().defaultValue(1).build(), null)).not.toThrow();
  });

  it('checks logical values', () => {
    expect(() => validateValue(Decimal.schema(2), 1.5)).toThrow(/Decimal/);
    expect(() => validateValue(Decimal.schema(2), Decimal.fromString('1.5'))).toThrow(/scale 1 does not match the schema's scale 2/);
    expect(() => validateValue(Timestamp.schema(), 5)).toThrow(/a Date/);
  });

  it('checks nested structs against the field schema', () => {
    const inner = SchemaBuilder.struct().field('a', Schemas.INT32).build();
    const outer = SchemaBuilder.struct().field('in', inner).build();
    const other = SchemaBuilder.struct().field('b', Schemas.INT32).build();
    expect(() => validateValue(outer.field('in')!.schema, new Struct(other).put('b', 1), 'in')).toThrow(/does not match/);
    expect(() => validateValue(inner, new Struct(inner), 'in')).toThrow(/"in\.a"/);
  });
});

describe('inferSchema', () => {
  it('maps schemaless JS values to Connect schemas', () => {
    expect(inferSchema(null)).toBeNull();
    expect(inferSchema(3)?.type).toBe('int64');
    expect(inferSchema(2n ** 70n)?.type).toBe('int64');
    expect(inferSchema(3.5)?.type).toBe('float64');
    expect(inferSchema('s')?.type).toBe('string');
    expect(inferSchema(true)?.type).toBe('boolean');
    expect(inferSchema(new Uint8Array())?.type).toBe('bytes');
    expect(inferSchema(new Date())?.name).toBe(Timestamp.LOGICAL_NAME);
    expect(inferSchema(Decimal.fromString('1.25'))?.parameters).toEqual({ scale: '2' });
  });

  it('infers arrays and maps from their elements', () => {
    expect(schemaEquals(inferSchema([1, 2]), SchemaBuilder.array(Schemas.INT64).build())).toBe(true);
    expect(schemaEquals(inferSchema([1, null]), SchemaBuilder.array(Schemas.OPTIONAL_INT64).build())).toBe(true);
    expect(schemaEquals(inferSchema({ a: 'x' }), SchemaBuilder.map(Schemas.STRING, Schemas.STRING).build())).toBe(true);
    expect(schemaEquals(inferSchema({ a: { b: 1.5 } }), SchemaBuilder.map(Schemas.STRING, SchemaBuilder.map(Schemas.STRING, Schemas.FLOAT64)).build())).toBe(true);
  });

  it('gives up (null) on empty or mixed collections', () => {
    expect(inferSchema([])).toBeNull();
    expect(inferSchema([1, 'a'])).toBeNull();
    expect(inferSchema(new Map())).toBeNull();
  });

  it('returns a struct value\u2019s own schema', () => {
    const s = SchemaBuilder.struct().field('a', Schemas.INT32).build();
    expect(inferSchema(new Struct(s))).toBe(s);
  });
});

describe('valueEquals and asOptional', () => {
  it('compares values deeply across representations', () => {
    expect(valueEquals(5, 5n)).toBe(true);
    expect(valueEquals(NaN, NaN)).toBe(true);
    expect(valueEquals(new Uint8Array([1]), Buffer.from([1]))).toBe(true);
    expect(valueEquals(new Map([['a', 1]]), { a: 1 })).toBe(true);
    expect(valueEquals([1, [2]], [1, [3]])).toBe(false);
    expect(valueEquals(new Date(1), new Date(1))).toBe(true);
    expect(valueEquals(Decimal.fromString('1.0'), Decimal.fromString('1.00'))).toBe(false);
  });

  it('makes a schema optional keeping everything else', () => {
    const s = SchemaBuilder.int32().name('n').defaultValue(3).build();
    const o = asOptional(s);
    expect(o).toMatchObject({ type: 'int32', optional: true, name: 'n', defaultValue: 3 });
    expect(asOptional(o)).toBe(o);
  });
});
