import { describe, expect, it } from 'vitest';
import { parseArrayLiteral } from './array-literal.js';
import {
  civilFromEpochDays,
  epochDaysFromCivil,
  formatDate,
  formatLocalTimestamp,
  formatZonedTime,
  formatZonedTimestamp,
  parseDate,
  parseIntervalMicros,
  parseTimeMicros,
  parseTimeTzMicrosUtc,
  parseTimestampMicros,
} from './temporal.js';

describe('temporal text parsing', () => {
  it('counts days from the epoch across leap years, centuries and BC dates', () => {
    expect(epochDaysFromCivil(1970, 1, 1)).toBe(0);
    expect(epochDaysFromCivil(2024, 2, 29)).toBe(19_782);
    expect(epochDaysFromCivil(1969, 12, 31)).toBe(-1);
    expect(epochDaysFromCivil(2000, 3, 1)).toBe(11_017);
    for (const d of [-800_000, -1, 0, 59, 11_016, 2_932_896]) {
      const { year, month, day } = civilFromEpochDays(d);
      expect(epochDaysFromCivil(year, month, day)).toBe(d);
    }
    expect(parseDate('2024-02-29')).toBe(19_782);
    expect(parseDate('0044-03-15 BC')).toBe(epochDaysFromCivil(-43, 3, 15));
    expect(parseDate('infinity')).toBe('infinity');
    expect(() => parseDate('29/02/2024')).toThrow(/Not an ISO date/);
  });

  it('reads times of day to the microsecond', () => {
    expect(parseTimeMicros('13:45:07.123456')).toBe(49_507_123_456n);
    expect(parseTimeMicros('00:00:00.5')).toBe(500_000n);
    expect(parseTimeMicros('24:00:00')).toBe(86_400_000_000n);
    expect(parseTimeTzMicrosUtc('01:00:00+02')).toBe(82_800_000_000n);
    expect(parseTimeTzMicrosUtc('23:30:00-01:30')).toBe(3_600_000_000n);
  });

  it('reads timestamps with and without offsets, BC and beyond year 9999', () => {
    expect(parseTimestampMicros('1970-01-01 00:00:00')).toBe(0n);
    expect(parseTimestampMicros('2024-01-02 03:04:05.678901')).toBe(1_704_164_645_678_901n);
    expect(parseTimestampMicros('2024-01-02 03:04:05.5+02')).toBe(1_704_157_445_500_000n);
    expect(parseTimestampMicros('2024-01-02 03:04:05+05:30')).toBe(1_704_144_845_000_000n);
    expect(parseTimestampMicros('1969-12-31 23:59:59.999999')).toBe(-1n);
    expect(parseTimestampMicros('-infinity')).toBe('-infinity');
    expect(formatZonedTimestamp(parseTimestampMicros('12345-06-07 00:00:00+00') as bigint)).toBe(
      '+12345-06-07T00:00:00Z',
    );
  });

  it('formats zoned values as Debezium does: UTC, Z suffix, 0/3/6 fraction digits', () => {
    expect(formatZonedTimestamp(1_704_164_645_678_901n)).toBe('2024-01-02T03:04:05.678901Z');
    expect(formatZonedTimestamp(1_704_164_645_500_000n)).toBe('2024-01-02T03:04:05.500Z');
    expect(formatZonedTimestamp(1_704_164_645_000_000n)).toBe('2024-01-02T03:04:05Z');
    expect(formatZonedTimestamp(-1n)).toBe('1969-12-31T23:59:59.999999Z');
    expect(formatZonedTime(82_800_000_000n)).toBe('23:00:00Z');
    expect(formatLocalTimestamp(0n)).toBe('1970-01-01T00:00:00');
    expect(formatDate(19_782)).toBe('2024-02-29');
  });

  it('converts ISO-8601 intervals to microseconds with 30.4375-day months', () => {
    expect(parseIntervalMicros('PT0S')).toBe(0n);
    expect(parseIntervalMicros('P1DT2H3M4.5S')).toBe(93_784_500_000n);
    expect(parseIntervalMicros('P1M')).toBe(2_629_800_000_000n);
    expect(parseIntervalMicros('P1Y')).toBe(31_557_600_000_000n);
    expect(parseIntervalMicros('PT-1.25S')).toBe(-1_250_000n);
    expect(parseIntervalMicros('P-1D')).toBe(-86_400_000_000n);
    expect(() => parseIntervalMicros('1 day')).toThrow(/Not an ISO-8601 interval/);
  });
});

describe('parseArrayLiteral', () => {
  it('splits elements, unquotes, unescapes and tells NULL from "NULL"', () => {
    expect(parseArrayLiteral('{}')).toEqual([]);
    expect(parseArrayLiteral('{1,2,3}')).toEqual(['1', '2', '3']);
    expect(parseArrayLiteral('{x,"y z",NULL,"NULL"}')).toEqual(['x', 'y z', null, 'NULL']);
    expect(parseArrayLiteral('{"with,comma","quote\\"d","back\\\\slash"}')).toEqual([
      'with,comma',
      'quote"d',
      'back\\slash',
    ]);
    expect(parseArrayLiteral('{{1,2},{3,4}}')).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
    expect(parseArrayLiteral('[0:1]={7,8}')).toEqual(['7', '8']);
    expect(parseArrayLiteral('{(0,0),(1,1);(2,2),(3,3)}', ';')).toEqual(['(0,0),(1,1)', '(2,2),(3,3)']);
  });

  it('rejects malformed literals', () => {
    expect(() => parseArrayLiteral('{1,2')).toThrow(/Malformed array literal/);
    expect(() => parseArrayLiteral('{"open}')).toThrow(/unterminated/);
    expect(() => parseArrayLiteral('{1}x')).toThrow(/trailing/);
    expect(() => parseArrayLiteral('{1,,2}')).toThrow(/empty element/);
  });
});
