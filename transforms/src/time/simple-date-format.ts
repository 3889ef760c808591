/**
 * Java's `java.text.SimpleDateFormat` patterns, fixed to UTC and the US English locale, for the
 * transforms whose configs carry such patterns (`TimestampConverter.format`,
 * `TimestampRouter.timestamp.format`).
 *
 * Formatting supports every pattern letter Java does (`G y Y M L w W D d F E u a H k K h m s S z Z X`,
 * quoted text with `'…'`, `''` for a quote); weeks follow the US convention (weeks start on Sunday,
 * week 1 is the week containing January 1). Zones always render as UTC (`z` → `UTC`, `Z` → `+0000`,
 * `X` → `Z`).
 *
 * Parsing is lenient as Java's default: out-of-range fields roll over (month 13 → January of the next
 * year), text after the last pattern field is ignored, two-digit years (`yy`) land within 80 years
 * before and 20 after now, and adjacent numeric fields (`yyyyMMdd`) take exactly their width. Zones
 * parse from `Z`, `UTC`, `GMT`, `UT` and numeric offsets (`+hh`, `+hhmm`, `+hh:mm`, optionally after
 * `GMT`/`UTC`); zone names such as `PST` are not understood. Week-based fields (`Y w W F E u`) are read
 * but do not move the date (Java would resolve them against the calendar when no day/month is given).
 */

/** Thrown for an invalid pattern or, from `parse`, text that does not match it. */
export class SimpleDateFormatError extends Error {
  override name = 'SimpleDateFormatError';
}

type Token = { kind: 'literal'; text: string } | { kind: 'field'; letter: string; count: number };

const PATTERN_LETTERS = new Set('GyYMLwWDdFEuaHkKhmsSzZX');
const NUMERIC_LETTERS = new Set('yYwWDdFuHkKhmsS');
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MS_PER_DAY = 86_400_000;

function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  const pushLiteral = (text: string): void => {
    const last = tokens[tokens.length - 1];
    if (last?.kind === 'literal') last.text += text;
    else tokens.push({ kind: 'literal', text });
  };
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i] as string;
    if (ch === "'") {
      if (pattern[i + 1] === "'") {
        pushLiteral("'");
        i += 2;
        continue;
      }
      let text = '';
      i++;
      for (;;) {
        if (i >= pattern.length) throw new SimpleDateFormatError('Unterminated quote in the date pattern');
        if (pattern[i] === "'") {
          if (pattern[i + 1] === "'") {
            text += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        text += pattern[i];
        i++;
      }
      pushLiteral(text);
    } else if (/[a-zA-Z]/.test(ch)) {
      if (!PATTERN_LETTERS.has(ch)) throw new SimpleDateFormatError(`Illegal pattern character '${ch}'`);
      let count = 1;
      while (pattern[i + count] === ch) count++;
      if (ch === 'X' && count > 3) throw new SimpleDateFormatError(`Invalid ISO 8601 zone pattern: ${count} 'X' letters (1 to 3 allowed)`);
      tokens.push({ kind: 'field', letter: ch, count });
      i += count;
    } else {
      pushLiteral(ch);
      i++;
    }
  }
  return tokens;
}

function pad(n: number, width: number): string {
  const s = String(Math.abs(n)).padStart(width, '0');
  return n < 0 ? `-${s}` : s;
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

interface Parts {
  year: number;
  month: number; // 1-12
  day: number;
  dayOfYear: number;
  dow: number; // 0 = Sunday
  hour: number;
  minute: number;
  second: number;
  ms: number;
}

function partsOf(ms: number): Parts {
  const d = new Date(ms);
  const year = d.getUTCFullYear();
  const jan1 = new Date(0);
  jan1.setUTCFullYear(year, 0, 1);
  return {
    year,
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    dayOfYear: Math.floor((ms - jan1.getTime()) / MS_PER_DAY) + 1,
    dow: d.getUTCDay(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    ms: d.getUTCMilliseconds(),
  };
}

// US week rules: weeks start on Sunday and any week containing January 1 is week 1.
function weekOfYear(p: Parts): { week: number; weekYear: number } {
  const daysInYear = isLeap(p.year) ? 366 : 365;
  const weekStart = p.dayOfYear - p.dow;
  if (weekStart + 6 > daysInYear) return { week: 1, weekYear: p.year + 1 };
  const jan1Dow = (((p.dow - (p.dayOfYear - 1)) % 7) + 7) % 7;
  return { week: Math.floor((p.dayOfYear - 1 + jan1Dow) / 7) + 1, weekYear: p.year };
}

function weekOfMonth(p: Parts): number {
  const firstDow = (((p.dow - (p.day - 1)) % 7) + 7) % 7;
  return Math.floor((p.day - 1 + firstDow) / 7) + 1;
}

function formatYear(year: number, count: number): string {
  const ofEra = year > 0 ? year : 1 - year;
  return count === 2 ? pad(ofEra % 100, 2) : pad(ofEra, count);
}

function text(names: readonly string[], index: number, count: number): string {
  const name = names[index] as string;
  return count >= 4 ? name : name.slice(0, 3);
}

interface ParseState {
  year?: number;
  weekYear?: number;
  bc?: boolean;
  month?: number;
  day?: number;
  dayOfYear?: number;
  hour24?: number;
  hour12?: number;
  pm?: boolean;
  minute?: number;
  second?: number;
  ms?: number;
  offsetMinutes?: number;
}

/** A compiled `SimpleDateFormat` pattern in UTC. Immutable and reusable across records. */
export class SimpleDateFormat {
  readonly #tokens: readonly Token[];

  /** @throws SimpleDateFormatError for an unknown pattern letter or an unterminated quote. */
  constructor(readonly pattern: string) {
    this.#tokens = Object.freeze(tokenize(pattern));
  }

  /** Renders `date` (a Date or epoch milliseconds) in UTC. @throws SimpleDateFormatError for an invalid Date. */
  format(date: Date | number): string {
    const ms = typeof date === 'number' ? date : date.getTime();
    if (!Number.isFinite(ms) || Number.isNaN(new Date(ms).getTime())) throw new SimpleDateFormatError('Cannot format an invalid date');
    const p = partsOf(ms);
    let out = '';
    for (const t of this.#tokens) {
      if (t.kind === 'literal') {
        out += t.text;
        continue;
      }
      const n = t.count;
      switch (t.letter) {
        case 'G':
          out += p.year > 0 ? 'AD' : 'BC';
          break;
        case 'y':
          out += formatYear(p.year, n);
          break;
        case 'Y':
          out += formatYear(weekOfYear(p).weekYear, n);
          break;
        case 'M':
        case 'L':
          out += n >= 3 ? text(MONTHS, p.month - 1, n) : pad(p.month, n);
          break;
        case 'w':
          out += pad(weekOfYear(p).week, n);
          break;
        case 'W':
          out += pad(weekOfMonth(p), n);
          break;
        case 'D':
          out += pad(p.dayOfYear, n);
          break;
        case 'd':
          out += pad(p.day, n);
          break;
        case 'F':
          out += pad(Math.floor((p.day - 1) / 7) + 1, n);
          break;
        case 'E':
          out += text(DAYS, p.dow, n);
          break;
        case 'u':
          out += pad(p.dow === 0 ? 7 : p.dow, n);
          break;
        case 'a':
          out += p.hour < 12 ? 'AM' : 'PM';
          break;
        case 'H':
          out += pad(p.hour, n);
          break;
        case 'k':
          out += pad(p.hour === 0 ? 24 : p.hour, n);
          break;
        case 'K':
          out += pad(p.hour % 12, n);
          break;
        case 'h':
          out += pad(p.hour % 12 === 0 ? 12 : p.hour % 12, n);
          break;
        case 'm':
          out += pad(p.minute, n);
          break;
        case 's':
          out += pad(p.second, n);
          break;
        case 'S':
          out += pad(p.ms, n);
          break;
        case 'z':
          out += n >= 4 ? 'Coordinated Universal Time' : 'UTC';
          break;
        case 'Z':
          out += '+0000';
          break;
        case 'X':
          out += 'Z';
          break;
      }
    }
    return out;
  }

  /**
   * Parses `input` leniently (see the module doc) into a Date. Text after the pattern is ignored.
   * @throws SimpleDateFormatError when the text does not match the pattern. The message does not
   *   repeat the input (it may be record payload).
   */
  parse(input: string): Date {
    const st: ParseState = {};
    let pos = 0;
    const fail: (what: string) => never = (what) => {
      throw new SimpleDateFormatError(`Text does not match the date pattern "${this.pattern}" (${what} at position ${pos})`);
    };
    const tokens = this.#tokens;
    for (let ti = 0; ti < tokens.length; ti++) {
      const t = tokens[ti] as Token;
      if (t.kind === 'literal') {
        if (input.startsWith(t.text, pos)) pos += t.text.length;
        else fail(`expected "${t.text}"`);
        continue;
      }
      const next = tokens[ti + 1];
      const numeric = NUMERIC_LETTERS.has(t.letter) || ((t.letter === 'M' || t.letter === 'L') && t.count < 3);
      if (numeric) {
        const abutting = next?.kind === 'field' && (NUMERIC_LETTERS.has(next.letter) || ((next.letter === 'M' || next.letter === 'L') && next.count < 3));
        const m = (abutting ? new RegExp(`^\\d{${t.count}}`) : /^\d+/).exec(input.slice(pos));
        if (m === null) fail(`expected ${abutting ? `${t.count} digits` : 'a number'} for '${t.letter}'`);
        const digits = m[0];
        pos += digits.length;
        const value = Number(digits);
        switch (t.letter) {
          case 'y':
          case 'Y': {
            const year = t.count <= 2 && digits.length === 2 ? twoDigitYear(value) : value;
            if (t.letter === 'y') st.year = year;
            else st.weekYear = year;
            break;
          }
          case 'M':
          case 'L':
            st.month = value;
            break;
          case 'D':
            st.dayOfYear = value;
            break;
          case 'd':
            st.day = value;
            break;
          case 'H':
            st.hour24 = value;
            break;
          case 'k':
            st.hour24 = value === 24 ? 0 : value;
            break;
          case 'K':
            st.hour12 = value;
            break;
          case 'h':
            st.hour12 = value === 12 ? 0 : value;
            break;
          case 'm':
            st.minute = value;
            break;
          case 's':
            st.second = value;
            break;
          case 'S':
            st.ms = value;
            break;
          default:
            // w W F u: read and ignored (see the module doc)
            break;
        }
        continue;
      }
      const rest = input.slice(pos);
      switch (t.letter) {
        case 'M':
        case 'L': {
          const idx = matchName(rest, MONTHS);
          if (idx === undefined) fail('expected a month name');
          st.month = idx.index + 1;
          pos += idx.length;
          break;
        }
        case 'E': {
          const idx = matchName(rest, DAYS);
          if (idx === undefined) fail('expected a day name');
          pos += idx.length;
          break;
        }
        case 'a': {
          const m = /^(am|pm)/i.exec(rest);
          if (m === null) fail('expected AM or PM');
          st.pm = m[0].toLowerCase() === 'pm';
          pos += 2;
          break;
        }
        case 'G': {
          const m = /^(ad|bc)/i.exec(rest);
          if (m === null) fail('expected AD or BC');
          st.bc = m[0].toLowerCase() === 'bc';
          pos += 2;
          break;
        }
        default: {
          const zone = parseZone(rest);
          if (zone === undefined) fail('expected a time zone');
          st.offsetMinutes = zone.offsetMinutes;
          pos += zone.length;
        }
      }
    }
    return resolve(st, fail);
  }

  toString(): string {
    return this.pattern;
  }
}

function twoDigitYear(value: number): number {
  // Java places two-digit years within [now - 80 years, now + 20 years).
  const startYear = new Date().getUTCFullYear() - 80;
  const century = Math.floor(startYear / 100) * 100;
  return century + value + (value < startYear % 100 ? 100 : 0);
}

function matchName(rest: string, names: readonly string[]): { index: number; length: number } | undefined {
  const lower = rest.toLowerCase();
  for (const len of ['full', 'short'] as const) {
    for (let i = 0; i < names.length; i++) {
      const name = (len === 'full' ? names[i] : names[i]?.slice(0, 3)) as string;
      if (lower.startsWith(name.toLowerCase())) return { index: i, length: name.length };
    }
  }
  return undefined;
}

function parseZone(rest: string): { offsetMinutes: number; length: number } | undefined {
  const m = /^(?:(?:GMT|UTC|UT)?([+-])(\d{1,2})(?::?(\d{2}))?|(Z|GMT|UTC|UT))/.exec(rest);
  if (m === null) return undefined;
  if (m[4] !== undefined) return { offsetMinutes: 0, length: m[0].length };
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
  return { offsetMinutes: m[1] === '-' ? -minutes : minutes, length: m[0].length };
}

function resolve(st: ParseState, fail: (what: string) => never): Date {
  let year = st.year ?? st.weekYear ?? 1970;
  if (st.bc === true) year = 1 - year;
  const d = new Date(0);
  if (st.dayOfYear !== undefined && st.month === undefined && st.day === undefined) d.setUTCFullYear(year, 0, st.dayOfYear);
  else d.setUTCFullYear(year, (st.month ?? 1) - 1, st.day ?? 1);
  const hour = st.hour24 ?? (st.hour12 ?? 0) + (st.pm === true ? 12 : 0);
  d.setUTCHours(hour, st.minute ?? 0, st.second ?? 0, st.ms ?? 0);
  const ms = d.getTime() - (st.offsetMinutes ?? 0) * 60_000;
  if (!Number.isFinite(ms) || Number.isNaN(new Date(ms).getTime())) fail('date out of range');
  return new Date(ms);
}
