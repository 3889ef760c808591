import { DataError } from '@sluice/core';

/**
 * A WAL position (log sequence number). Held as an unsigned 64-bit `bigint` internally; offsets store
 * it as a JSON number, as Debezium does, which is exact below 2^53 bytes of WAL (8 PiB).
 */
export type Lsn = bigint;

/** The invalid / unset position `0/0`. */
export const INVALID_LSN: Lsn = 0n;

const LSN_TEXT = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/;

/** Parses PostgreSQL's `XXXXXXXX/XXXXXXXX` text form. @throws DataError on anything else. */
export function parseLsn(text: string): Lsn {
  const m = LSN_TEXT.exec(text.trim());
  if (m === null) throw new DataError(`Not a PostgreSQL LSN: "${text}"`);
  return (BigInt(`0x${m[1]}`) << 32n) | BigInt(`0x${m[2]}`);
}

/** Formats as PostgreSQL does (`16/B374D848`, upper-case hex, no padding). */
export function formatLsn(lsn: Lsn): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}

/** The LSN as a JSON-safe number for offsets. @throws DataError beyond 2^53 (never reached in practice). */
export function lsnToNumber(lsn: Lsn): number {
  const n = Number(lsn);
  if (!Number.isSafeInteger(n)) throw new DataError(`LSN ${formatLsn(lsn)} is too large to store as a JSON number`);
  return n;
}

/** Reads an LSN stored in an offset: a number (Debezium's format) or an `X/Y` string. Null when absent. */
export function lsnFromOffsetValue(value: unknown): Lsn | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === 'string') return /^\d+$/.test(value) ? BigInt(value) : parseLsn(value);
  throw new DataError(`Invalid LSN in the stored offset: ${JSON.stringify(value)}`);
}

/** The larger of two LSNs. */
export function maxLsn(a: Lsn, b: Lsn): Lsn {
  return a > b ? a : b;
}
