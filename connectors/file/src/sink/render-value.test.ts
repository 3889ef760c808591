import { describe, expect, it } from 'vitest';
import { DataError, SchemaBuilder, Schemas, Struct } from '@sluice/core';
import { renderValue } from './render-value.js';

describe('renderValue', () => {
  it('writes strings as they are and bytes as UTF-8', () => {
    expect(renderValue('plain "text"')).toBe('plain "text"');
    expect(renderValue(new TextEncoder().encode('héllo'))).toBe('héllo');
    expect(renderValue(Buffer.from('buffer'))).toBe('buffer');
  });

  it('gives no line for null or undefined values', () => {
    expect(renderValue(null)).toBeNull();
    expect(renderValue(undefined)).toBeNull();
  });

  it('renders other values as compact JSON', () => {
    expect(renderValue(3.5)).toBe('3.5');
    expect(renderValue(false)).toBe('false');
    expect(renderValue([1, 'a', null, [true]])).toBe('[1,"a",null,[true]]');
    expect(renderValue({ a: { b: 'c' } })).toBe('{"a":{"b":"c"}}');
  });

  it('keeps integers beyond 2^53 and decimals exact', () => {
    expect(renderValue({ big: 9007199254740993n })).toBe('{"big":9007199254740993}');
    expect(renderValue({ price: { unscaled: 12345n, scale: 2 } })).toBe('{"price":123.45}');
    expect(renderValue({ unscaled: -5n, scale: 3 })).toBe('-0.005');
    expect(renderValue({ unscaled: 7n, scale: -2 })).toBe('700');
  });

  it('renders maps as objects, nested bytes as base64 and dates as ISO-8601', () => {
    const value = new Map<unknown, unknown>([
      ['bytes', Uint8Array.of(1, 2, 3)],
      [10, new Date(Date.UTC(2024, 0, 2, 3, 4, 5))],
    ]);
    expect(renderValue(value)).toBe('{"bytes":"AQID","10":"2024-01-02T03:04:05.000Z"}');
  });

  it('renders structs in schema field order, nested, with schema defaults applied', () => {
    const address = SchemaBuilder.struct().field('city', Schemas.STRING).build();
    const person = SchemaBuilder.struct()
      .field('name', Schemas.STRING)
      .field('age', SchemaBuilder.int32().optional().defaultValue(18).build())
      .field('address', address)
      .build();
    const value = new Struct(person).put('address', new Struct(address).put('city', 'Oslo')).put('name', 'Kari');
    expect(renderValue(value)).toBe('{"name":"Kari","age":18,"address":{"city":"Oslo"}}');
  });

  it('refuses values nested too deeply to be data', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(() => renderValue(cyclic)).toThrow(DataError);
  });
});
