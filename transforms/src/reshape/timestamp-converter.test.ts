import { ConfigValidationError, DataError, DateLogical, SchemaBuilder, Schemas, sourceRecord, Struct, Time, Timestamp, type Schema } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { TimestampConverter } from './timestamp-converter.js';

const record = (init: Partial<Parameters<typeof sourceRecord>[0]>) => sourceRecord({ sourcePartition: {}, sourceOffset: {}, topic: 'test', ...init });
const configured = (side: 'key' | 'value', config: Record<string, string>): TimestampConverter => {
  const t = new TimestampConverter(side);
  t.configure(config);
  return t;
};

const FORMAT = 'yyyy MM dd HH mm ss SSS z';
const DATE = new Date(86_400_000); // 1970-01-02
const TIME = new Date(1_234); // 00:00:01.234
const DATE_PLUS_TIME = new Date(86_401_234);
const DATE_PLUS_TIME_UNIX = 86_401_234;
const DATE_PLUS_TIME_STRING = '1970 01 02 00 00 01 234 UTC';

describe('TimestampConverter config', () => {
  it('requires a valid target.type', () => {
    expect(() => configured('value', {})).toThrow(ConfigValidationError);
    expect(() => configured('value', { 'target.type': 'invalid' })).toThrow(/target.type.*must be one of/);
    expect(() => configured('value', { 'target.type': 'timestamp' })).toThrow(/target.type/);
  });

  it('requires a known unix.precision', () => {
    expect(() => configured('value', { 'target.type': 'unix', 'unix.precision': 'invalid' })).toThrow(/unix.precision/);
    for (const p of ['seconds', 'milliseconds', 'microseconds', 'nanoseconds']) {
      expect(() => configured('value', { 'target.type': 'unix', 'unix.precision': p })).not.toThrow();
    }
  });

  it('requires a valid format for string timestamps', () => {
    expect(() => configured('value', { 'target.type': 'string' })).toThrow(/requires format option/);
    expect(() => configured('value', { 'target.type': 'string', format: 'bad-formatJ' })).toThrow(/SimpleDateFormat-compatible pattern/);
  });
});

describe('TimestampConverter without schemas', () => {
  const convert = (target: string, value: unknown, extra: Record<string, string> = {}) =>
    configured('value', { 'target.type': target, format: FORMAT, ...extra }).apply(record({ value }));

  it('converts a Date to each representation', () => {
    expect(convert('Timestamp', DATE_PLUS_TIME)?.value).toEqual(DATE_PLUS_TIME);
    expect(convert('Date', DATE_PLUS_TIME)?.value).toEqual(DATE);
    expect(convert('Time', DATE_PLUS_TIME)?.value).toEqual(TIME);
    expect(convert('unix', DATE_PLUS_TIME)?.value).toBe(DATE_PLUS_TIME_UNIX);
    expect(convert('string', DATE_PLUS_TIME)?.value).toBe(DATE_PLUS_TIME_STRING);
    expect(convert('string', DATE_PLUS_TIME)?.valueSchema).toBeNull();
  });

  it('converts unix and string input to a Timestamp', () => {
    expect(convert('Timestamp', DATE_PLUS_TIME_UNIX)?.value).toEqual(DATE_PLUS_TIME);
    expect(convert('Timestamp', BigInt(DATE_PLUS_TIME_UNIX))?.value).toEqual(DATE_PLUS_TIME);
    expect(convert('Timestamp', DATE_PLUS_TIME_STRING)?.value).toEqual(DATE_PLUS_TIME);
  });

  it('keeps null values and null fields null for every target', () => {
    for (const target of ['string', 'unix', 'Date', 'Time', 'Timestamp']) {
      expect(convert(target, null)?.value).toBeNull();
      expect(convert(target, new Map([['ts', null]]), { field: 'ts' })?.value).toEqual(new Map([['ts', null]]));
    }
  });

  it('converts one entry of a map', () => {
    const out = configured('value', { 'target.type': 'Date', field: 'ts' }).apply(record({ value: { ts: DATE_PLUS_TIME, other: 'x' } }));
    expect(out?.value).toEqual({ ts: DATE, other: 'x' });
  });

  it('reads and writes unix time in the configured precision, truncating sub-millisecond parts', () => {
    const micros = 86_401_234_123n;
    const nanos = 86_401_234_123_456n;
    expect(convert('Timestamp', micros, { 'unix.precision': 'microseconds' })?.value).toEqual(DATE_PLUS_TIME);
    expect(convert('Timestamp', nanos, { 'unix.precision': 'nanoseconds' })?.value).toEqual(DATE_PLUS_TIME);
    expect(convert('Timestamp', 86_401, { 'unix.precision': 'seconds' })?.value).toEqual(new Date(86_401_000));
    expect(convert('unix', DATE_PLUS_TIME_STRING, { 'unix.precision': 'microseconds' })?.value).toBe(86_401_234_000);
    expect(convert('unix', DATE_PLUS_TIME_STRING, { 'unix.precision': 'nanoseconds' })?.value).toBe(86_401_234_000_000);
    expect(convert('unix', DATE_PLUS_TIME_STRING, { 'unix.precision': 'seconds' })?.value).toBe(86_401);
  });

  it('rejects values that are not timestamps and strings that do not match the format', () => {
    expect(() => convert('Timestamp', 1.5)).toThrow(/does not support number values as timestamps/);
    expect(() => convert('Timestamp', true)).toThrow(DataError);
    expect(() => convert('Timestamp', 'not a date')).toThrow(/does not match the pattern/);
  });
});

describe('TimestampConverter with schemas', () => {
  const convert = (target: string, schema: Schema, value: unknown, extra: Record<string, string> = {}) =>
    configured('value', { 'target.type': target, format: FORMAT, ...extra }).apply(record({ valueSchema: schema, value }));

  it('converts a Timestamp to each representation with the matching schema', () => {
    const ts = Timestamp.schema();
    expect(convert('Timestamp', ts, DATE_PLUS_TIME)).toMatchObject({ valueSchema: { name: Timestamp.LOGICAL_NAME }, value: DATE_PLUS_TIME });
    expect(convert('Date', ts, DATE_PLUS_TIME)).toMatchObject({ valueSchema: { name: DateLogical.LOGICAL_NAME }, value: DATE });
    expect(convert('Time', ts, DATE_PLUS_TIME)).toMatchObject({ valueSchema: { name: Time.LOGICAL_NAME }, value: TIME });
    expect(convert('unix', ts, DATE_PLUS_TIME)).toMatchObject({ valueSchema: Schemas.INT64, value: DATE_PLUS_TIME_UNIX });
    expect(convert('string', ts, DATE_PLUS_TIME)).toMatchObject({ valueSchema: Schemas.STRING, value: DATE_PLUS_TIME_STRING });
  });

  it('converts Date, Time, unix and string sources to a Timestamp', () => {
    expect(convert('Timestamp', DateLogical.schema(), DATE)?.value).toEqual(DATE);
    expect(convert('Timestamp', Time.schema(), TIME)?.value).toEqual(TIME);
    expect(convert('Timestamp', Schemas.INT64, DATE_PLUS_TIME_UNIX)?.value).toEqual(DATE_PLUS_TIME);
    expect(convert('Timestamp', Schemas.STRING, DATE_PLUS_TIME_STRING)?.value).toEqual(DATE_PLUS_TIME);
  });

  it('keeps a null value null with an optional target schema', () => {
    for (const [target, schema] of [
      ['Timestamp', Schemas.OPTIONAL_INT64],
      ['unix', Timestamp.builder().optional().build()],
      ['Time', Timestamp.builder().optional().build()],
      ['Date', Timestamp.builder().optional().build()],
      ['string', Timestamp.builder().optional().build()],
    ] as const) {
      const out = convert(target, schema, null);
      expect(out?.value).toBeNull();
      expect(out?.valueSchema?.optional).toBe(true);
    }
  });

  it('converts one struct field, keeping the other fields and the optionality', () => {
    const schema = SchemaBuilder.struct().field('ts', Timestamp.builder().optional().build()).field('other', Schemas.STRING).build();
    const t = configured('value', { 'target.type': 'unix', field: 'ts' });
    const out = t.apply(record({ valueSchema: schema, value: new Struct(schema).put('ts', DATE_PLUS_TIME).put('other', 'x') }));
    expect(out?.valueSchema?.field('ts')?.schema).toBe(Schemas.OPTIONAL_INT64);
    expect((out?.value as Struct).toJSON()).toEqual({ ts: DATE_PLUS_TIME_UNIX, other: 'x' });
    const nullField = t.apply(record({ valueSchema: schema, value: new Struct(schema).put('other', 'x') }));
    expect((nullField?.value as Struct).get('ts')).toBeNull();
    expect(t.apply(record({ valueSchema: schema, value: new Struct(schema).put('other', 'y') }))?.valueSchema).toBe(out?.valueSchema);
  });

  it('reads a null field as its default only when replace.null.with.default is true', () => {
    const schema = SchemaBuilder.struct().field('ts', Timestamp.builder().optional().defaultValue(new Date(0)).build()).build();
    for (const [flag, expected] of [['true', new Date(0)], ['false', null]] as const) {
      const out = configured('value', { 'target.type': 'Timestamp', field: 'ts', 'replace.null.with.default': flag }).apply(record({ valueSchema: schema, value: new Struct(schema) }));
      expect((out?.value as Struct).getWithoutDefault('ts')).toEqual(expected);
    }
  });

  it('converts with the configured unix precision', () => {
    const schema = SchemaBuilder.struct().field('ts', Schemas.INT64).build();
    for (const [precision, raw] of [['microseconds', 86_401_234_123], ['nanoseconds', 86_401_234_123_456n], ['seconds', 86_401]] as const) {
      const out = configured('value', { 'target.type': 'Timestamp', field: 'ts', 'unix.precision': precision }).apply(
        record({ valueSchema: schema, value: new Struct(schema).put('ts', raw) }),
      );
      expect((out?.value as Struct).get('ts')).toEqual(precision === 'seconds' ? new Date(86_401_000) : DATE_PLUS_TIME);
    }
  });

  it('rejects a source schema that is not a timestamp representation', () => {
    expect(() => convert('Timestamp', Schemas.INT32, 5)).toThrow(/does not correspond to a known timestamp type/);
  });

  it('converts the key with TimestampConverter$Key', () => {
    const out = configured('key', { 'target.type': 'Timestamp' }).apply(record({ key: DATE_PLUS_TIME_UNIX, value: 'v' }));
    expect(out?.key).toEqual(DATE_PLUS_TIME);
    expect(out?.value).toBe('v');
  });
});
