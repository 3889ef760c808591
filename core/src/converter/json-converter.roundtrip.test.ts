import { describe, expect, it } from 'vitest';
import { DateLogical, Decimal, Time, Timestamp } from '../data/logical.js';
import type { Schema } from '../data/schema.js';
import { SchemaBuilder, Schemas, schemaEquals } from '../data/schema-builder.js';
import { Struct } from '../data/struct.js';
import { valueEquals } from '../data/values.js';
import { JsonConverter } from './json-converter.js';

const inner = SchemaBuilder.struct().name('com.example.Inner').field('x', Schemas.OPTIONAL_FLOAT32).field('tags', SchemaBuilder.array(Schemas.STRING).build()).build();
const everything = SchemaBuilder.struct()
  .name('com.example.Everything')
  .version(2)
  .doc('all the types')
  .field('i8', Schemas.INT8)
  .field('i16', Schemas.INT16)
  .field('i32', Schemas.INT32)
  .field('i64', Schemas.INT64)
  .field('f32', Schemas.FLOAT32)
  .field('f64', Schemas.FLOAT64)
  .field('bool', Schemas.BOOLEAN)
  .field('str', Schemas.STRING)
  .field('bytes', Schemas.BYTES)
  .field('dec', Decimal.schema(4))
  .field('date', DateLogical.schema())
  .field('time', Time.schema())
  .field('ts', Timestamp.builder().optional().build())
  .field('arr', SchemaBuilder.array(Schemas.OPTIONAL_INT64).build())
  .field('smap', SchemaBuilder.map(Schemas.STRING, inner).build())
  .field('imap', SchemaBuilder.map(Schemas.INT16, Schemas.OPTIONAL_STRING).optional().build())
  .field('dflt', SchemaBuilder.string().defaultValue('dv').build())
  .field('missing', Schemas.OPTIONAL_BYTES)
  .build();

function sample(): Struct {
  return new Struct(everything)
    .put('i8', -128)
    .put('i16', 32767)
    .put('i32', -2147483648)
    .put('i64', 2n ** 63n - 1n)
    .put('f32', 3.4028234663852886e38)
    .put('f64', -1.7976931348623157e308)
    .put('bool', false)
    .put('str', 'snow ☃ "quoted" \\ \u0000')
    .put('bytes', new Uint8Array([0, 255, 128, 7]))
    .put('dec', Decimal.fromString('-123456789012345678.1234'))
    .put('date', new Date(Date.UTC(1969, 6, 20)))
    .put('time', new Date(86_399_999))
    .put('ts', new Date(-1))
    .put('arr', [1, null, 9007199254740993n])
    .put('smap', new Map([['k', new Struct(inner).put('x', 0.25).put('tags', [])]]))
    .put('imap', new Map([[1, 'one'], [-2, null]]));
}

function roundTrip(schema: Schema | null, value: unknown, config: Record<string, string> = {}) {
  const c = new JsonConverter();
  c.configure(config, false);
  const first = c.fromConnectData('t', schema, value);
  const back = c.toConnectData('t', first);
  const second = c.fromConnectData('t', back.schema, back.value);
  return { first, back, second };
}

describe('JsonConverter round trips', () => {
  it('preserves every schema type, logical type and metadata in a struct', () => {
    const { first, back, second } = roundTrip(everything, sample());
    expect(schemaEquals(back.schema, everything)).toBe(true);
    expect((back.value as Struct).equals(sample().put('dflt', 'dv'))).toBe(true);
    expect(Buffer.from(second!).equals(Buffer.from(first!))).toBe(true);
  });

  it('preserves the same values with decimal.format=NUMERIC', () => {
    const { back, first, second } = roundTrip(everything, sample(), { 'decimal.format': 'NUMERIC' });
    expect((back.value as Struct).getWithoutDefault('dec')).toEqual(Decimal.fromString('-123456789012345678.1234'));
    expect(Buffer.from(second!).equals(Buffer.from(first!))).toBe(true);
  });

  it.each([
    ['int64 just past 2^53', Schemas.INT64, 9007199254740993n],
    ['negative int64 past -2^53', Schemas.INT64, -9007199254740993n],
    ['float64 small', Schemas.FLOAT64, 5e-324],
    ['float64 fraction', Schemas.FLOAT64, 0.1 + 0.2],
    ['float32', Schemas.FLOAT32, Math.fround(0.1)],
    ['empty string', Schemas.STRING, ''],
    ['empty bytes', Schemas.BYTES, new Uint8Array()],
    ['optional null', Schemas.OPTIONAL_INT32, null],
    ['nested arrays', SchemaBuilder.array(SchemaBuilder.array(Schemas.INT32)).build(), [[1], [], [2, 3]]],
    ['negative decimal', Decimal.schema(0), { unscaled: -(2n ** 70n), scale: 0 }],
    ['negative-scale decimal', Decimal.schema(-2), { unscaled: 5n, scale: -2 }],
  ])('%s', (_name, schema, value) => {
    const { back, first, second } = roundTrip(schema, value);
    expect(schemaEquals(back.schema, schema)).toBe(true);
    expect(valueEquals(back.value, value)).toBe(true);
    expect(Buffer.from(second!).equals(Buffer.from(first!))).toBe(true);
  });

  it('round-trips schemaless data without an envelope', () => {
    const value = new Map<string, unknown>([
      ['a', 1],
      ['b', [1.5, 'x', null, true]],
      ['c', new Map([['d', 2n ** 64n]])],
    ]);
    const { back, first, second } = roundTrip(null, value, { 'schemas.enable': 'false' });
    expect(back.schema).toBeNull();
    expect(valueEquals(back.value, value)).toBe(true);
    expect(Buffer.from(second!).toString()).toBe(Buffer.from(first!).toString());
  });
});
