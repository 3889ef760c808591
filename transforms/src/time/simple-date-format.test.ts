import { describe, expect, it } from 'vitest';
import { SimpleDateFormat, SimpleDateFormatError } from './simple-date-format.js';

const at = (iso: string): Date => new Date(iso);
const fmt = (pattern: string, iso: string): string => new SimpleDateFormat(pattern).format(at(iso));

describe('SimpleDateFormat.format', () => {
  it('renders numeric fields with the pattern width as minimum digits', () => {
    expect(fmt('yyyy-MM-dd HH:mm:ss.SSS', '2024-03-05T07:08:09.012Z')).toBe('2024-03-05 07:08:09.012');
    expect(fmt('yyyyMMdd', '2017-01-01T23:59:00Z')).toBe('20170101');
    expect(fmt('y M d H m s S', '2024-03-05T07:08:09.012Z')).toBe('2024 3 5 7 8 9 12');
    expect(fmt('yy', '2009-01-01T00:00:00Z')).toBe('09');
    expect(fmt('D DDD', '2024-02-01T00:00:00Z')).toBe('32 032');
  });

  it('renders text fields, hours and zones in UTC', () => {
    expect(fmt('EEE, d MMM yyyy hh:mm a', '2024-03-05T13:08:00Z')).toBe('Tue, 5 Mar 2024 01:08 PM');
    expect(fmt('EEEE MMMM', '2024-03-05T00:00:00Z')).toBe('Tuesday March');
    expect(fmt('k K h H', '2024-03-05T00:30:00Z')).toBe('24 0 12 0');
    expect(fmt('z zzzz Z X XXX', '2024-03-05T00:00:00Z')).toBe('UTC Coordinated Universal Time +0000 Z Z');
    expect(fmt('G u F', '2024-03-05T00:00:00Z')).toBe('AD 2 1');
  });

  it('renders quoted text and escaped quotes', () => {
    expect(fmt("yyyy-MM-dd'T'HH:mm:ss'Z'", '2024-03-05T07:08:09Z')).toBe('2024-03-05T07:08:09Z');
    expect(fmt("h 'o''clock'", '2024-03-05T07:00:00Z')).toBe("7 o'clock");
    expect(fmt("''yy''", '2024-03-05T07:00:00Z')).toBe("'24'");
  });

  it('numbers weeks the US way: Sunday starts a week, the week with January 1 is week 1', () => {
    expect(fmt('w Y', '2024-01-06T00:00:00Z')).toBe('1 2024');
    expect(fmt('w', '2024-01-07T00:00:00Z')).toBe('2');
    // Tuesday 2024-12-31 shares a week with 2025-01-01.
    expect(fmt('w YYYY yyyy', '2024-12-31T00:00:00Z')).toBe('1 2025 2024');
    expect(fmt('W', '2024-03-10T00:00:00Z')).toBe('3');
  });

  it('rejects unknown pattern letters and unterminated quotes', () => {
    expect(() => new SimpleDateFormat('yyyy-JJ')).toThrow(SimpleDateFormatError);
    expect(() => new SimpleDateFormat('bad-formatJ')).toThrow(/Illegal pattern character 'b'/);
    expect(() => new SimpleDateFormat("yyyy'T")).toThrow(/Unterminated quote/);
    expect(() => new SimpleDateFormat('XXXX')).toThrow(/ISO 8601/);
  });
});

describe('SimpleDateFormat.parse', () => {
  const parse = (pattern: string, text: string): number => new SimpleDateFormat(pattern).parse(text).getTime();

  it('round-trips what it formats', () => {
    const pattern = 'yyyy MM dd HH mm ss SSS z';
    const d = at('1970-01-02T00:00:01.234Z');
    expect(new SimpleDateFormat(pattern).parse(new SimpleDateFormat(pattern).format(d))).toEqual(d);
    const p2 = "EEE, d MMM yyyy hh:mm:ss a 'at' Z";
    const d2 = at('2024-03-05T13:08:09Z');
    expect(new SimpleDateFormat(p2).parse(new SimpleDateFormat(p2).format(d2))).toEqual(d2);
  });

  it('splits adjacent numeric fields by their widths', () => {
    expect(parse('yyyyMMddHHmm', '202403050708')).toBe(Date.parse('2024-03-05T07:08:00Z'));
  });

  it('applies zone offsets', () => {
    expect(parse('yyyy-MM-dd HH:mm Z', '2024-03-05 07:08 +0130')).toBe(Date.parse('2024-03-05T05:38:00Z'));
    expect(parse('yyyy-MM-dd HH:mm XXX', '2024-03-05 07:08 -02:00')).toBe(Date.parse('2024-03-05T09:08:00Z'));
    expect(parse('yyyy-MM-dd HH:mm z', '2024-03-05 07:08 GMT+01:00')).toBe(Date.parse('2024-03-05T06:08:00Z'));
    expect(parse('yyyy-MM-dd HH:mm X', '2024-03-05 07:08 Z')).toBe(Date.parse('2024-03-05T07:08:00Z'));
  });

  it('is lenient like Java: rolls fields over and ignores trailing text', () => {
    expect(parse('yyyy-MM-dd', '2023-13-01')).toBe(Date.parse('2024-01-01T00:00:00Z'));
    expect(parse('yyyy-MM-dd', '2024-02-30')).toBe(Date.parse('2024-03-01T00:00:00Z'));
    expect(parse('yyyy-MM-dd', '2024-03-05 and more')).toBe(Date.parse('2024-03-05T00:00:00Z'));
    expect(parse('HH:mm', '07:08')).toBe(Date.parse('1970-01-01T07:08:00Z'));
  });

  it('places two-digit years within 80 years before and 20 after now', () => {
    const thisYear = new Date().getUTCFullYear();
    const future = (thisYear + 10) % 100;
    const past = (thisYear - 30 + 100) % 100;
    expect(new SimpleDateFormat('yy').parse(String(future).padStart(2, '0')).getUTCFullYear()).toBe(thisYear + 10);
    expect(new SimpleDateFormat('yy').parse(String(past).padStart(2, '0')).getUTCFullYear()).toBe(thisYear - 30);
    expect(new SimpleDateFormat('yyyy').parse('0099').getUTCFullYear()).toBe(99);
  });

  it('reads the era, AM/PM and 12-hour clocks', () => {
    expect(parse('hh:mm a', '12:30 AM')).toBe(Date.parse('1970-01-01T00:30:00Z'));
    expect(parse('hh:mm a', '01:30 pm')).toBe(Date.parse('1970-01-01T13:30:00Z'));
    expect(new SimpleDateFormat('yyyy G').parse('0044 BC').getUTCFullYear()).toBe(-43);
  });

  it('fails without repeating the input when the text does not match', () => {
    expect(() => parse('yyyy-MM-dd', 'secret-value')).toThrow(SimpleDateFormatError);
    expect(() => parse('yyyy-MM-dd', 'secret-value')).not.toThrow(/secret/);
    expect(() => parse('yyyy-MM-dd', '2024/03/05')).toThrow(/expected "-"/);
    expect(() => parse('MMM', 'Foo')).toThrow(/month name/);
  });
});
