import { DataError } from '@sluice/core';

/**
 * Parsing of PostgreSQL's temporal text output (DateStyle=ISO, IntervalStyle=iso_8601, which both
 * connections set) into epoch-based numbers, and ISO-8601 formatting as Debezium's `Zoned*` types
 * emit it. Calendar arithmetic is done with integers (proleptic Gregorian), not `Date`, so years
 * outside 100…9999 and BC dates come out right.
 */

const MICROS_PER_SECOND = 1_000_000n;
const MICROS_PER_DAY = 86_400_000_000n;

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function epochDaysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** Inverse of `epochDaysFromCivil`. */
export function civilFromEpochDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** Result for `infinity` / `-infinity`, which callers map to their type's extreme values. */
export type Infinite = 'infinity' | '-infinity';

function infinite(text: string): Infinite | null {
  const t = text.trim();
  return t === 'infinity' ? 'infinity' : t === '-infinity' ? '-infinity' : null;
}

const DATE_RE = /^(\d{4,})-(\d{2})-(\d{2})( BC)?$/;

/** `2024-02-29` (or `0044-03-15 BC`) → days since the epoch. */
export function parseDate(text: string): number | Infinite {
  const inf = infinite(text);
  if (inf !== null) return inf;
  const m = DATE_RE.exec(text.trim());
  if (m === null) throw new DataError(`Not an ISO date: "${text}"`);
  const y = Number(m[1]);
  return epochDaysFromCivil(m[4] === undefined ? y : 1 - y, Number(m[2]), Number(m[3]));
}

function fractionMicros(fraction: string | undefined): bigint {
  if (fraction === undefined || fraction === '') return 0n;
  return BigInt(fraction.slice(0, 6).padEnd(6, '0'));
}

const TIME_RE = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?$/;

/** `13:45:07.123456` → µs since midnight (`24:00:00` is 86 400 000 000). */
export function parseTimeMicros(text: string): bigint {
  const m = TIME_RE.exec(text.trim());
  if (m === null) throw new DataError(`Not a time of day: "${text}"`);
  const seconds = BigInt(Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]));
  return seconds * MICROS_PER_SECOND + fractionMicros(m[4]);
}

const OFFSET_RE = /([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?$/;

function offsetSeconds(sign: string, h: string, m: string | undefined, s: string | undefined): number {
  const v = Number(h) * 3600 + Number(m ?? 0) * 60 + Number(s ?? 0);
  return sign === '-' ? -v : v;
}

/** `13:45:07.5+02` (timetz) → µs since midnight in UTC, wrapped into one day. */
export function parseTimeTzMicrosUtc(text: string): bigint {
  const t = text.trim();
  const m = OFFSET_RE.exec(t);
  if (m === null) throw new DataError(`Not a time with time zone: "${text}"`);
  const local = parseTimeMicros(t.slice(0, m.index));
  const utc = local - BigInt(offsetSeconds(m[1] as string, m[2] as string, m[3], m[4])) * MICROS_PER_SECOND;
  return ((utc % MICROS_PER_DAY) + MICROS_PER_DAY) % MICROS_PER_DAY;
}

const TIMESTAMP_RE =
  /^(\d{4,})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([+-]\d{2}(?::?\d{2})?(?::?\d{2})?)?( BC)?$/;

/**
 * `2024-01-02 03:04:05.678901[+01[:30]][ BC]` → µs since the epoch. Without an offset the value is
 * read as UTC (a `timestamp` has no zone; Debezium treats it the same way).
 */
export function parseTimestampMicros(text: string): bigint | Infinite {
  const inf = infinite(text);
  if (inf !== null) return inf;
  const m = TIMESTAMP_RE.exec(text.trim());
  if (m === null) throw new DataError(`Not an ISO timestamp: "${text}"`);
  const y = Number(m[1]);
  const days = epochDaysFromCivil(m[9] === undefined ? y : 1 - y, Number(m[2]), Number(m[3]));
  let micros =
    BigInt(days) * MICROS_PER_DAY +
    BigInt(Number(m[4]) * 3600 + Number(m[5]) * 60 + Number(m[6])) * MICROS_PER_SECOND +
    fractionMicros(m[7]);
  if (m[8] !== undefined) {
    const o = OFFSET_RE.exec(m[8]);
    if (o !== null) micros -= BigInt(offsetSeconds(o[1] as string, o[2] as string, o[3], o[4])) * MICROS_PER_SECOND;
  }
  return micros;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Fraction of a second as Java's ISO formatters print it: none, 3 or 6 digits, as needed. */
function fractionText(micros: number): string {
  if (micros === 0) return '';
  if (micros % 1000 === 0) return `.${pad(micros / 1000, 3)}`;
  return `.${pad(micros, 6)}`;
}

function timeOfDayText(microsOfDay: bigint): string {
  const totalSeconds = Number(microsOfDay / MICROS_PER_SECOND);
  const frac = Number(microsOfDay % MICROS_PER_SECOND);
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  return `${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}${fractionText(frac)}`;
}

function yearText(year: number): string {
  if (year > 9999) return `+${year}`;
  if (year < 0) return `-${pad(-year, 4)}`;
  return pad(year, 4);
}

/** µs since the epoch → `2024-01-02T03:04:05.678901Z` (Debezium's `io.debezium.time.ZonedTimestamp`). */
export function formatZonedTimestamp(epochMicros: bigint): string {
  const days =
    epochMicros >= 0n ? epochMicros / MICROS_PER_DAY : -((-epochMicros + MICROS_PER_DAY - 1n) / MICROS_PER_DAY);
  const microsOfDay = epochMicros - days * MICROS_PER_DAY;
  const { year, month, day } = civilFromEpochDays(Number(days));
  return `${yearText(year)}-${pad(month, 2)}-${pad(day, 2)}T${timeOfDayText(microsOfDay)}Z`;
}

/** µs since midnight UTC → `03:04:05.5Z`-style text (Debezium's `io.debezium.time.ZonedTime`). */
export function formatZonedTime(microsOfDayUtc: bigint): string {
  return `${timeOfDayText(microsOfDayUtc)}Z`;
}

/** µs since the epoch → `2024-01-02T03:04:05.678901` (no zone), for writing `timestamp` columns. */
export function formatLocalTimestamp(epochMicros: bigint): string {
  return formatZonedTimestamp(epochMicros).slice(0, -1);
}

/** days since the epoch → `2024-01-02`. */
export function formatDate(days: number): string {
  const { year, month, day } = civilFromEpochDays(days);
  return `${yearText(year)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** µs since midnight → `03:04:05.678901`. */
export function formatTimeOfDay(micros: bigint): string {
  return timeOfDayText(micros);
}

/** Debezium's average month length for `io.debezium.time.MicroDuration` (365.25 / 12). */
export const DAYS_PER_MONTH_AVG = 365.25 / 12;

const INTERVAL_RE = /^P(?:(-?\d+)Y)?(?:(-?\d+)M)?(?:(-?\d+)D)?(?:T(?:(-?\d+)H)?(?:(-?\d+)M)?(?:(-?\d+(?:\.\d+)?)S)?)?$/;

/**
 * An ISO-8601 interval as PostgreSQL prints it with IntervalStyle=iso_8601 (`P1Y2M3DT4H5M6.5S`,
 * components may be negative) → µs, counting a month as 30.4375 days as Debezium's MicroDuration does.
 */
export function parseIntervalMicros(text: string): bigint {
  const m = INTERVAL_RE.exec(text.trim());
  if (m === null || text.trim() === 'P') throw new DataError(`Not an ISO-8601 interval: "${text}"`);
  const n = (i: number): bigint => (m[i] === undefined ? 0n : BigInt(m[i] as string));
  // Months have no fixed length: the average is fractional, so only that part goes through a double.
  const monthMicros = BigInt(Math.trunc(Number(n(1) * 12n + n(2)) * DAYS_PER_MONTH_AVG * 86_400e6));
  const secText = m[6] ?? '0';
  const negative = secText.startsWith('-');
  const [whole = '0', frac] = secText.replace('-', '').split('.');
  const secMicros = BigInt(whole) * MICROS_PER_SECOND + fractionMicros(frac);
  return (
    monthMicros +
    n(3) * MICROS_PER_DAY +
    n(4) * 3_600_000_000n +
    n(5) * 60_000_000n +
    (negative ? -secMicros : secMicros)
  );
}
