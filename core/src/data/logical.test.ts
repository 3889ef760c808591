import { describe, expect, it } from 'vitest';
import { DataError } from '../errors/connect-error.js';
import { DateLogical, Decimal, Time, Timestamp } from './logical.js';
import { Schemas } from './schema-builder.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('Decimal', () => {
  it('uses Kafka Connect names: bytes schema, version 1, scale parameter', () => {
    const s = Decimal.schema(2);
    expect(s).toMatchObject({ type: 'bytes', name: 'org.apache.kafka.connect.data.Decimal', version: 1, parameters: { scale: '2' } });
    expect(Decimal.LOGICAL_NAME).toBe('org.apache.kafka.connect.data.Decimal');
    expect(Decimal.builder(0).optional().build().optional).toBe(true);
  });

  it('encodes the unscaled value as minimal big-endian two\u2019s complement', () => {
    expect(hex(Decimal.toBytes({ unscaled: 0n, scale: 0 }))).toBe('00');
    expect(hex(Decimal.toBytes({ unscaled: 156n, scale: 2 }))).toBe('009c');
    expect(hex(Decimal.toBytes({ unscaled: 127n, scale: 0 }))).toBe('7f');
    expect(hex(Decimal.toBytes({ unscaled: 128n, scale: 0 }))).toBe('0080');
    expect(hex(Decimal.toBytes({ unscaled: -1n, scale: 0 }))).toBe('ff');
    expect(hex(Decimal.toBytes({ unscaled: -128n, scale: 0 }))).toBe('80');
    expect(hex(Decimal.toBytes({ unscaled: -129n, scale: 0 }))).toBe('ff7f');
    expect(hex(Decimal.toBytes({ unscaled: -156n, scale: 2 }))).toBe('ff64');
    expect(hex(Decimal.toBytes({ unscaled: 2n ** 64n, scale: 0 }))).toBe('010000000000000000');
  });

  it('decodes bytes back to the same value, negative values included', () => {
    for (const n of [0n, 1n, -1n, 127n, 128n, -128n, -129n, 255n, -256n, 123456789012345678901234567890n, -(2n ** 100n)]) {
      const v = Decimal.fromBytes(Decimal.toBytes({ unscaled: n, scale: 5 }), 5);
      expect(v).toEqual({ unscaled: n, scale: 5 });
    }
    expect(() => Decimal.fromBytes(new Uint8Array(), 0)).toThrow(DataError);
  });

  it('parses and prints decimal strings keeping the written scale', () => {
    expect(Decimal.fromString('12.34')).toEqual({ unscaled: 1234n, scale: 2 });
    expect(Decimal.fromString('-0.050')).toEqual({ unscaled: -50n, scale: 3 });
    expect(Decimal.fromString('1e3')).toEqual({ unscaled: 1n, scale: -3 });
    expect(Decimal.fromString('1.5E-7')).toEqual({ unscaled: 15n, scale: 8 });
    expect(Decimal.toString({ unscaled: 1234n, scale: 2 })).toBe('12.34');
    expect(Decimal.toString({ unscaled: -5n, scale: 3 })).toBe('-0.005');
    expect(Decimal.toString({ unscaled: 5n, scale: -2 })).toBe('500');
    expect(() => Decimal.fromString('abc')).toThrow(/Not a decimal/);
  });

  it("prints Java's BigDecimal.toString form for JSON numbers", () => {
    expect(Decimal.toJavaString({ unscaled: 156n, scale: 2 })).toBe('1.56');
    expect(Decimal.toJavaString({ unscaled: 1n, scale: -3 })).toBe('1E+3');
    expect(Decimal.toJavaString({ unscaled: 1n, scale: 10 })).toBe('1E-10');
    expect(Decimal.toJavaString({ unscaled: 12345n, scale: 10 })).toBe('0.0000012345');
    expect(Decimal.toJavaString({ unscaled: -123n, scale: 9 })).toBe('-1.23E-7');
    expect(Decimal.toJavaString({ unscaled: 0n, scale: 2 })).toBe('0.00');
  });

  it('round-trips through toLogical/fromLogical and checks the scale', () => {
    const s = Decimal.schema(2);
    const v = Decimal.fromString('-12.34');
    expect(Decimal.toLogical(s, Decimal.fromLogical(s, v))).toEqual(v);
    expect(() => Decimal.fromLogical(s, Decimal.fromString('1.5'))).toThrow(/mismatching scale/);
    expect(() => Decimal.toLogical(Schemas.BYTES, new Uint8Array([1]))).toThrow(/schema does not match/);
  });

  it('rescales without rounding only', () => {
    expect(Decimal.rescale(Decimal.fromString('1.5'), 3)).toEqual({ unscaled: 1500n, scale: 3 });
    expect(Decimal.rescale(Decimal.fromString('1.500'), 1)).toEqual({ unscaled: 15n, scale: 1 });
    expect(() => Decimal.rescale(Decimal.fromString('1.55'), 1)).toThrow(/without rounding/);
  });
});

describe('Date, Time and Timestamp', () => {
  it('use Kafka Connect names and underlying types', () => {
    expect(DateLogical.schema()).toMatchObject({ type: 'int32', name: 'org.apache.kafka.connect.data.Date', version: 1 });
    expect(Time.schema()).toMatchObject({ type: 'int32', name: 'org.apache.kafka.connect.data.Time', version: 1 });
    expect(Timestamp.schema()).toMatchObject({ type: 'int64', name: 'org.apache.kafka.connect.data.Timestamp', version: 1 });
  });

  it('converts dates to days since the epoch and back', () => {
    const s = DateLogical.schema();
    const d = DateLogical.toLogical(s, 10000);
    expect(d.toISOString()).toBe('1997-05-19T00:00:00.000Z');
    expect(DateLogical.fromLogical(s, d)).toBe(10000);
    expect(DateLogical.fromLogical(s, new Date(Date.UTC(1969, 11, 31)))).toBe(-1);
    expect(() => DateLogical.fromLogical(s, new Date(Date.UTC(2020, 0, 1, 1)))).toThrow(/time fields/);
  });

  it('converts times to milliseconds since midnight and back', () => {
    const s = Time.schema();
    expect(Time.toLogical(s, 14_400_000).toISOString()).toBe('1970-01-01T04:00:00.000Z');
    expect(Time.fromLogical(s, new Date(14_400_000))).toBe(14_400_000);
    expect(() => Time.fromLogical(s, new Date(Date.UTC(1970, 0, 2)))).toThrow(/date fields/);
    expect(() => Time.toLogical(s, 86_400_000)).toThrow(DataError);
  });

  it('converts timestamps to epoch milliseconds and back', () => {
    const s = Timestamp.schema();
    expect(Timestamp.toLogical(s, 4_000_000_000).getTime()).toBe(4_000_000_000);
    expect(Timestamp.toLogical(s, 42n).getTime()).toBe(42);
    expect(Timestamp.fromLogical(s, new Date(-5))).toBe(-5);
    expect(() => Timestamp.fromLogical(s, new Date(NaN))).toThrow(/invalid/);
  });

  it('refuse schemas of another logical type', () => {
    expect(() => Time.fromLogical(DateLogical.schema(), new Date(0))).toThrow(/schema does not match/);
  });
});
