import { DataError } from '@sluice/core';
import type { Lsn } from './lsn.js';

/** Microseconds between the Unix epoch and PostgreSQL's epoch (2000-01-01T00:00:00Z). */
export const PG_EPOCH_OFFSET_MICROS = 946_684_800_000_000n;

/** A PostgreSQL timestamp (µs since 2000-01-01) as µs since the Unix epoch. */
export function pgMicrosToUnixMicros(pgMicros: bigint): bigint {
  return pgMicros + PG_EPOCH_OFFSET_MICROS;
}

/** `XLogData` (`w`): one chunk of the output plugin's stream, starting at WAL position `start`. */
export interface XLogData {
  readonly kind: 'xlogdata';
  readonly start: Lsn;
  readonly walEnd: Lsn;
  /** server clock, µs since the Unix epoch */
  readonly sendTimeMicros: bigint;
  readonly data: Buffer;
}

/** `Primary keepalive` (`k`): the server's WAL end; `replyRequested` asks for an immediate status update. */
export interface PrimaryKeepalive {
  readonly kind: 'keepalive';
  readonly walEnd: Lsn;
  readonly sendTimeMicros: bigint;
  readonly replyRequested: boolean;
}

export type ReplicationMessage = XLogData | PrimaryKeepalive;

/**
 * Parses one CopyData payload of a streaming replication connection (`w` or `k`). The returned
 * `data` is a view into `chunk`, not a copy.
 * @throws DataError on an unknown tag or a truncated message.
 */
export function parseReplicationMessage(chunk: Buffer): ReplicationMessage {
  const tag = chunk[0];
  if (tag === 0x77 /* w */) {
    if (chunk.length < 25) throw new DataError(`Truncated XLogData message (${chunk.length} bytes)`);
    return {
      kind: 'xlogdata',
      start: chunk.readBigUInt64BE(1),
      walEnd: chunk.readBigUInt64BE(9),
      sendTimeMicros: pgMicrosToUnixMicros(chunk.readBigInt64BE(17)),
      data: chunk.subarray(25),
    };
  }
  if (tag === 0x6b /* k */) {
    if (chunk.length < 18) throw new DataError(`Truncated keepalive message (${chunk.length} bytes)`);
    return {
      kind: 'keepalive',
      walEnd: chunk.readBigUInt64BE(1),
      sendTimeMicros: pgMicrosToUnixMicros(chunk.readBigInt64BE(9)),
      replyRequested: chunk[17] === 1,
    };
  }
  throw new DataError(`Unknown replication message tag 0x${(tag ?? 0).toString(16)}`);
}

/** What a standby status update reports. For a logical slot only `flush` moves `confirmed_flush_lsn`. */
export interface StandbyStatus {
  /** last WAL position received (informational) */
  readonly written: Lsn;
  /** last position whose changes are durable downstream: the slot may discard everything before it */
  readonly flushed: Lsn;
  /** last position applied downstream (we report the flushed position) */
  readonly applied: Lsn;
  /** client clock, ms since the Unix epoch */
  readonly nowMs: number;
  readonly replyRequested?: boolean;
}

/** Encodes a `Standby status update` (`r`) CopyData payload. */
export function encodeStandbyStatus(status: StandbyStatus): Buffer {
  const out = Buffer.alloc(34);
  out[0] = 0x72; // r
  out.writeBigUInt64BE(status.written, 1);
  out.writeBigUInt64BE(status.flushed, 9);
  out.writeBigUInt64BE(status.applied, 17);
  out.writeBigInt64BE(BigInt(Math.trunc(status.nowMs)) * 1000n - PG_EPOCH_OFFSET_MICROS, 25);
  out[33] = status.replyRequested === true ? 1 : 0;
  return out;
}
