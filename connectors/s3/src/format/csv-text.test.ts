import { describe, expect, it } from 'vitest';
import { csvRow, parseCsv } from './csv-text.js';

describe('CSV text', () => {
  it('quotes cells with commas, quotes, line breaks or edge spaces, and nothing else', () => {
    expect(csvRow(['plain', 'a,b', 'say "hi"', 'two\nlines', ' padded', null, ''])).toBe(
      'plain,"a,b","say ""hi""","two\nlines"," padded",,""\n',
    );
  });

  it('parses what it writes back, keeping null and empty apart', () => {
    const rows = [
      ['plain', 'a,b', 'say "hi"', 'two\r\nlines', null, ''],
      ['x', null, null, null, 'y', 'z'],
    ];
    expect(parseCsv(rows.map(csvRow).join(''))).toEqual(rows);
  });

  it('accepts CRLF rows and a missing final line break', () => {
    expect(parseCsv('a,b\r\n1,2')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });

  it('rejects an unterminated quote and text after a closing quote', () => {
    expect(() => parseCsv('"open,1\n')).toThrow(/unterminated/);
    expect(() => parseCsv('"a"b,1\n')).toThrow(/after a closing quote/);
  });
});
