import { ConfigValidationError } from '@sluice/core';

/**
 * Joda-Time style date patterns as Confluent's `path.format` uses them, e.g.
 * `'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH`. Text in single quotes is literal (`''` is a quote);
 * other non-letters are literal; runs of a letter are fields:
 *
 * | letter | meaning | | letter | meaning |
 * |---|---|---|---|---|
 * | `G` | era (AD) | | `H` | hour of day 0–23 |
 * | `C` | century of era | | `k` | clock hour 1–24 |
 * | `Y`, `y` | year (`yy`: two digits) | | `K` | hour of half-day 0–11 |
 * | `x` | ISO week-year | | `h` | clock hour of half-day 1–12 |
 * | `w` | ISO week of week-year | | `m` | minute |
 * | `e` | day of week 1 (Mon)–7 | | `s` | second |
 * | `E` | day-of-week name (`EEEE` long) | | `S` | fraction of second (digits = count) |
 * | `M` | month (`MMM` short name, `MMMM` long) | | `a` | AM/PM marker |
 * | `D` | day of year | | `Z` | offset `+0100` (`ZZ`: `+01:00`) |
 * | `d` | day of month | | | |
 *
 * Numbers are zero-padded to the letter count. Names use `locale` (Java's `en_US` or BCP 47 `en-US`).
 */

type Token = { kind: 'literal'; text: string } | { kind: 'field'; letter: string; count: number };

const SUPPORTED = new Set('GCYyxwEeMDdaHkKhmsSZ');

/** A compiled pattern: formats a local wall-clock time (ms, read with UTC getters) and its zone offset. */
export type PathFormatter = (localMs: number, offsetMs: number) => string;

function invalid(key: 'path.format' | 'locale', problem: string): ConfigValidationError {
  const message = `Invalid value for configuration ${key}: ${problem}`;
  return new ConfigValidationError(message, [{ name: key, errors: [message] }]);
}

/** Compiles `pattern`. Throws ConfigValidationError (naming `path.format` or `locale`) when it cannot be used. */
export function compilePathFormat(pattern: string, locale = 'en'): PathFormatter {
  const tokens = tokenize(pattern);
  const lang = toBcp47(locale);
  const names = (options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat =>
    new Intl.DateTimeFormat(lang, { ...options, timeZone: 'UTC' });
  const shortMonth = names({ month: 'short' });
  const longMonth = names({ month: 'long' });
  const shortDay = names({ weekday: 'short' });
  const longDay = names({ weekday: 'long' });
  const halfDay = names({ hour: 'numeric', hour12: true });
  return (localMs, offsetMs) => {
    const d = new Date(localMs);
    let out = '';
    for (const t of tokens) {
      if (t.kind === 'literal') out += t.text;
      else out += field(t.letter, t.count, d, offsetMs, { shortMonth, longMonth, shortDay, longDay, halfDay });
    }
    return out;
  };
}

/** Java locale (`en_US`) → BCP 47 (`en-US`); throws ConfigValidationError for an unknown one. */
export function toBcp47(locale: string): string {
  const tag = locale.trim().replace(/_/g, '-');
  try {
    return Intl.getCanonicalLocales(tag === '' ? 'en' : tag)[0] ?? 'en';
  } catch {
    throw invalid('locale', `unknown locale "${locale}"`);
  }
}

function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i] as string;
    if (/[A-Za-z]/.test(ch)) {
      let j = i;
      while (pattern[j] === ch) j++;
      if (!SUPPORTED.has(ch)) throw invalid('path.format', `unsupported pattern letter '${ch}' at position ${i}`);
      tokens.push({ kind: 'field', letter: ch, count: j - i });
      i = j;
    } else if (ch === "'") {
      if (pattern[i + 1] === "'") {
        tokens.push({ kind: 'literal', text: "'" });
        i += 2;
        continue;
      }
      let text = '';
      let j = i + 1;
      for (;;) {
        if (j >= pattern.length) throw invalid('path.format', `unterminated quote at position ${i}`);
        if (pattern[j] === "'") {
          if (pattern[j + 1] === "'") {
            text += "'";
            j += 2;
            continue;
          }
          break;
        }
        text += pattern[j];
        j++;
      }
      tokens.push({ kind: 'literal', text });
      i = j + 1;
    } else {
      tokens.push({ kind: 'literal', text: ch });
      i++;
    }
  }
  return tokens;
}

interface Names {
  shortMonth: Intl.DateTimeFormat;
  longMonth: Intl.DateTimeFormat;
  shortDay: Intl.DateTimeFormat;
  longDay: Intl.DateTimeFormat;
  halfDay: Intl.DateTimeFormat;
}

const pad = (n: number, width: number): string =>
  n < 0 ? `-${String(-n).padStart(width, '0')}` : String(n).padStart(width, '0');

function field(letter: string, count: number, d: Date, offsetMs: number, names: Names): string {
  const year = d.getUTCFullYear();
  const hour = d.getUTCHours();
  switch (letter) {
    case 'G':
      return year > 0 ? 'AD' : 'BC';
    case 'C':
      return pad(Math.floor(Math.abs(year) / 100), count);
    case 'Y':
    case 'y':
      return count === 2 ? pad(((year % 100) + 100) % 100, 2) : pad(year, count);
    case 'x': {
      const wy = isoWeek(d).year;
      return count === 2 ? pad(((wy % 100) + 100) % 100, 2) : pad(wy, count);
    }
    case 'w':
      return pad(isoWeek(d).week, count);
    case 'e':
      return pad(((d.getUTCDay() + 6) % 7) + 1, count);
    case 'E':
      return (count >= 4 ? names.longDay : names.shortDay).format(d);
    case 'M':
      if (count >= 4) return names.longMonth.format(d);
      if (count === 3) return names.shortMonth.format(d);
      return pad(d.getUTCMonth() + 1, count);
    case 'D':
      return pad(dayOfYear(d), count);
    case 'd':
      return pad(d.getUTCDate(), count);
    case 'a':
      return names.halfDay.formatToParts(d).find((p) => p.type === 'dayPeriod')?.value ?? (hour < 12 ? 'AM' : 'PM');
    case 'H':
      return pad(hour, count);
    case 'k':
      return pad(hour === 0 ? 24 : hour, count);
    case 'K':
      return pad(hour % 12, count);
    case 'h':
      return pad(hour % 12 === 0 ? 12 : hour % 12, count);
    case 'm':
      return pad(d.getUTCMinutes(), count);
    case 's':
      return pad(d.getUTCSeconds(), count);
    case 'S':
      return String(d.getUTCMilliseconds()).padStart(3, '0').padEnd(count, '0').slice(0, count);
    case 'Z': {
      const sign = offsetMs < 0 ? '-' : '+';
      const minutes = Math.abs(Math.round(offsetMs / 60_000));
      const hh = pad(Math.floor(minutes / 60), 2);
      const mm = pad(minutes % 60, 2);
      return count >= 2 ? `${sign}${hh}:${mm}` : `${sign}${hh}${mm}`;
    }
    default:
      throw invalid('path.format', `unsupported pattern letter '${letter}'`);
  }
}

function dayOfYear(d: Date): number {
  return (
    Math.floor(
      (Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000,
    ) + 1
  );
}

// ISO-8601 week: weeks start on Monday; week 1 holds the year's first Thursday.
function isoWeek(d: Date): { year: number; week: number } {
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  const weekday = (new Date(day).getUTCDay() + 6) % 7;
  const thursday = new Date(day + (3 - weekday) * 86_400_000);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * 86_400_000)) + 1;
  return { year, week };
}
