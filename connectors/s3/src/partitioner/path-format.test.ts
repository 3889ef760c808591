import { describe, expect, it } from 'vitest';
import { compilePathFormat, toBcp47 } from './path-format.js';

const at = (iso: string): number => Date.parse(iso);

describe('path.format patterns', () => {
  it('renders quoted literals, padded numbers and escaped quotes', () => {
    const f = compilePathFormat("'year'=YYYY/'month'=M/'it''s' dd HH:mm:ss.SSS");
    expect(f(at('2024-03-05T07:08:09.012Z'), 0)).toBe("year=2024/month=3/it's 05 07:08:09.012");
  });

  it('renders month and day names in the locale, Java or BCP 47 spelling', () => {
    const en = compilePathFormat('MMM/MMMM/EEE/EEEE', 'en_US');
    expect(en(at('2024-01-16T00:00:00Z'), 0)).toBe('Jan/January/Tue/Tuesday');
    const de = compilePathFormat('EEEE', 'de-DE');
    expect(de(at('2024-01-16T00:00:00Z'), 0)).toBe('Dienstag');
    expect(toBcp47('pt_BR')).toBe('pt-BR');
  });

  it('renders two-digit years, clock hours, day of year, ISO week-year and offsets', () => {
    const f = compilePathFormat("yy h a k D xxxx-'W'ww e Z ZZ");
    expect(f(at('2024-12-30T00:05:00Z'), 3_600_000)).toBe('24 12 AM 24 365 2025-W01 1 +0100 +01:00');
  });

  it('refuses unknown letters and unterminated quotes, naming the key', () => {
    expect(() => compilePathFormat('YYYY/q')).toThrowError(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        fields: [{ name: 'path.format', errors: [expect.stringMatching(/letter 'q'/)] }],
      }),
    );
    expect(() => compilePathFormat("'year=YYYY")).toThrow(/unterminated quote/);
    expect(() => compilePathFormat('YYYY', 'not a locale!')).toThrowError(
      expect.objectContaining({ fields: [expect.objectContaining({ name: 'locale' })] }),
    );
  });
});
