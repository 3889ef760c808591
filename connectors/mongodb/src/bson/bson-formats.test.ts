import { describe, expect, it } from 'vitest';
import { Binary, Decimal128, Double, Int32, Long, ObjectId } from 'mongodb';
import { formatDecimalText, parseDecimalText } from './decimal-text.js';
import { formatJson, jsonFormatterFor } from './extended-json.js';
import { documentToStruct, inferDocumentSchema } from './infer-schema.js';

describe('decimal text', () => {
  it('parses Decimal128 text exactly, including exponents, and formats it back', () => {
    expect(parseDecimalText('123.450')).toEqual({ unscaled: 123450n, scale: 3 });
    expect(parseDecimalText('-1.5E+3')).toEqual({ unscaled: -15n, scale: -2 });
    expect(parseDecimalText('0E-6176')).toEqual({ unscaled: 0n, scale: 6176 });
    expect(parseDecimalText('NaN')).toBeNull();
    expect(parseDecimalText('Infinity')).toBeNull();
    expect(formatDecimalText({ unscaled: -15n, scale: -2 })).toBe('-1500');
    expect(formatDecimalText({ unscaled: 5n, scale: 3 })).toBe('0.005');
  });
});

describe('JSON formatters', () => {
  const doc = { _id: new ObjectId('65a1b2c3d4e5f60718293a4b'), n: new Int32(1), l: Long.fromNumber(2), at: new Date('2024-01-01T00:00:00Z'), dec: Decimal128.fromString('1.10'), bin: new Binary(new Uint8Array([255])) };

  it('render relaxed, canonical and simplified JSON', () => {
    expect(JSON.parse(formatJson(doc, 'relaxed'))).toEqual({ _id: { $oid: '65a1b2c3d4e5f60718293a4b' }, n: 1, l: 2, at: { $date: '2024-01-01T00:00:00Z' }, dec: { $numberDecimal: '1.10' }, bin: { $binary: { base64: '/w==', subType: '00' } } });
    expect(JSON.parse(formatJson(doc, 'canonical'))['l']).toEqual({ $numberLong: '2' });
    expect(JSON.parse(formatJson(doc, 'simplified'))).toEqual({ _id: '65a1b2c3d4e5f60718293a4b', n: 1, l: 2, at: '2024-01-01T00:00:00.000Z', dec: '1.10', bin: '/w==' });
  });

  it("accept the official connector's formatter class names", () => {
    expect(jsonFormatterFor('com.mongodb.kafka.connect.source.json.formatter.SimplifiedJson')).toBe('simplified');
    expect(jsonFormatterFor('nope')).toBeUndefined();
  });
});

describe('schema inference', () => {
  it('puts _id first, sorts other fields, and carries mixed-type arrays as JSON text', () => {
    const doc = { z: true, _id: 1, mixed: [new Int32(1), 'two'], empty: null, subs: [{ a: new Int32(1) }, { b: new Double(2) }] };
    const schema = inferDocumentSchema(doc);
    expect(schema.fields.map((f) => f.name)).toEqual(['_id', 'empty', 'mixed', 'subs', 'z']);
    expect(schema.field('mixed')?.schema.valueSchema?.type).toBe('string');
    expect(schema.field('subs')?.schema.valueSchema?.fields.map((f) => [f.name, f.schema.type])).toEqual([
      ['a', 'int32'],
      ['b', 'float64'],
    ]);
    const struct = documentToStruct(schema, doc);
    expect(struct.get('mixed')).toEqual(['1', 'two']);
    expect(struct.get('empty')).toBeNull();
  });
});
