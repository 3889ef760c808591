import { describe, expect, it } from 'vitest';
import { DataError } from '../errors/connect-error.js';
import { DateLogical, Decimal } from './logical.js';
import { SchemaBuilder, Schemas } from './schema-builder.js';
import { isStruct, Struct } from './struct.js';

const address = SchemaBuilder.struct().name('Address').field('city', Schemas.STRING).build();
const person = SchemaBuilder.struct()
  .name('Person')
  .field('id', Schemas.INT64)
  .field('name', Schemas.OPTIONAL_STRING)
  .field('active', SchemaBuilder.bool().defaultValue(true).build())
  .field('address', address)
  .field('tags', SchemaBuilder.array(Schemas.STRING).optional().build())
  .field('attrs', SchemaBuilder.map(Schemas.STRING, Schemas.INT32).optional().build())
  .field('blob', Schemas.OPTIONAL_BYTES)
  .build();

const full = () =>
  new Struct(person)
    .put('id', 7)
    .put('name', 'Ada')
    .put('address', new Struct(address).put('city', 'London'))
    .put('tags', ['a', 'b'])
    .put('attrs', new Map([['x', 1]]))
    .put('blob', new Uint8Array([1, 2, 3]));

describe('Struct', () => {
  it('only accepts struct schemas', () => {
    expect(() => new Struct(Schemas.INT32)).toThrow(/Not a struct schema/);
  });

  it('stores values and reads them back with typed getters', () => {
    const s = full();
    expect(s.getInt64('id')).toBe(7);
    expect(s.getString('name')).toBe('Ada');
    expect(s.getStruct('address')?.getString('city')).toBe('London');
    expect(s.getArray('tags')).toEqual(['a', 'b']);
    expect(s.getMap('attrs')?.get('x')).toBe(1);
    expect(s.getBytes('blob')).toEqual(new Uint8Array([1, 2, 3]));
  });

  it('returns the field default for unset fields, and null without one', () => {
    const s = full();
    expect(s.getBoolean('active')).toBe(true);
    expect(s.getWithoutDefault('active')).toBeNull();
    s.put('name', null);
    expect(s.get('name')).toBeNull();
  });

  it('rejects a value of the wrong type and names the field', () => {
    const s = new Struct(person);
    expect(() => s.put('id', 'seven')).toThrow(DataError);
    expect(() => s.put('id', 'seven')).toThrow(/"id"/);
    expect(() => s.put('tags', ['a', 3])).toThrow(/"tags\[1\]"/);
    expect(() => s.put('address', new Struct(person))).toThrow(/"address"/);
  });

  it('rejects null for a required field without default', () => {
    expect(() => new Struct(person).put('id', null)).toThrow(/"id": null used for required field/);
  });

  it('rejects unknown fields and mistyped getters', () => {
    expect(() => new Struct(person).put('nope', 1)).toThrow(/nope is not a valid field name/);
    expect(() => full().getString('id')).toThrow(/Field 'id' is not of type string/);
  });

  it('accepts bigint and numbers for int64 but range-checks smaller integer types', () => {
    const s = SchemaBuilder.struct().field('big', Schemas.INT64).field('small', Schemas.INT16).build();
    expect(new Struct(s).put('big', 2n ** 62n).getInt64('big')).toBe(2n ** 62n);
    expect(() => new Struct(s).put('big', 2n ** 63n)).toThrow(/out of range/);
    expect(() => new Struct(s).put('small', 40_000)).toThrow(/out of range for int16/);
    expect(() => new Struct(s).put('small', 1.5)).toThrow(/expected an integer/);
  });

  it('validate() reports a missing required field and nested problems', () => {
    expect(() => full().validate()).not.toThrow();
    expect(() => new Struct(person).put('address', new Struct(address).put('city', 'x')).validate()).toThrow(/"id": required field is missing/);
    // As in Kafka Connect, a nested struct is validated when it is put, so it must be complete by then.
    expect(() => new Struct(person).put('address', new Struct(address))).toThrow(/"address\.city": required field is missing/);
  });

  it('validate() accepts unset optional fields and unset fields with defaults', () => {
    const s = new Struct(person).put('id', 1).put('address', new Struct(address).put('city', 'c'));
    expect(() => s.validate()).not.toThrow();
  });

  it('compares equal by schema and values', () => {
    expect(full().equals(full())).toBe(true);
    expect(full().equals(full().put('name', 'Bob'))).toBe(false);
    expect(full().equals({})).toBe(false);
  });

  it('renders JSON-safe plain objects', () => {
    const s = SchemaBuilder.struct()
      .field('n', Schemas.INT64)
      .field('d', Decimal.schema(2))
      .field('day', DateLogical.schema())
      .field('b', Schemas.BYTES)
      .build();
    const v = new Struct(s).put('n', 2n ** 60n).put('d', Decimal.fromString('1.50')).put('day', new Date(Date.UTC(2024, 0, 2))).put('b', new Uint8Array([255]));
    expect(JSON.parse(JSON.stringify(v))).toEqual({ n: '1152921504606846976', d: '1.50', day: '2024-01-02T00:00:00.000Z', b: '/w==' });
  });

  it('is recognised by isStruct without instanceof', () => {
    expect(isStruct(full())).toBe(true);
    expect(isStruct({ schema: person })).toBe(false);
  });

  it('prints set fields only', () => {
    expect(new Struct(address).put('city', 'Paris').toString()).toBe('Struct{city="Paris"}');
    expect(new Struct(address).toString()).toBe('Struct{}');
  });
});
