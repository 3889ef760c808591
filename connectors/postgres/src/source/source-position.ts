import { DataError, type SourceOffset, type SourcePartition } from '@sluice/core';
import { formatLsn, lsnFromOffsetValue, lsnToNumber, type Lsn } from '../replication/lsn.js';

/**
 * Where the connector is in the change stream: every transaction whose commit record is before
 * `commitLsn` is fully delivered, and of the transaction committing at `commitLsn` the events with
 * an index up to `eventIndex` are (-1: none of them).
 *
 * Event indexes count a transaction's row events in stream order (1, 2, …; BEGIN metadata is 0 and
 * END is one past the last event), so a replayed transaction yields the same indexes and a restart
 * can skip exactly what was already delivered. Confirming `commitLsn` as flushed to the server is
 * always safe: PostgreSQL resends every transaction committing at or after the confirmed position.
 */
export interface StreamPosition {
  readonly commitLsn: Lsn;
  readonly eventIndex: number;
}

/** True when `event` was already delivered according to `stored` (a duplicate to skip). */
export function isDelivered(event: StreamPosition, stored: StreamPosition): boolean {
  return (
    event.commitLsn < stored.commitLsn ||
    (event.commitLsn === stored.commitLsn && event.eventIndex <= stored.eventIndex)
  );
}

/** Orders positions (negative when `a` comes first). */
export function comparePositions(a: StreamPosition, b: StreamPosition): number {
  if (a.commitLsn !== b.commitLsn) return a.commitLsn < b.commitLsn ? -1 : 1;
  return a.eventIndex - b.eventIndex;
}

/** `0/16B3748#3` for logs. */
export function describePosition(p: StreamPosition): string {
  return `${formatLsn(p.commitLsn)}#${p.eventIndex}`;
}

/** Progress of an unfinished snapshot, stored in snapshot records' offsets. */
export interface SnapshotProgress {
  /** `schema.table` being read; tables sorting before it are done */
  readonly table: string;
  /** text values of the key of the last row delivered from `table` (JSON array), null when none yet */
  readonly lastKey: readonly string[] | null;
}

/** A blocking snapshot asked for by a signal: its tables with their optional filters. */
export interface BlockingSnapshot {
  readonly id: string;
  readonly tables: readonly { readonly table: string; readonly filter: string | null }[];
}

/** What an offset says, decoded. */
export interface DecodedOffset {
  readonly position: StreamPosition;
  /** set while a snapshot is unfinished; null once streaming */
  readonly snapshot: SnapshotProgress | null;
  /** set while the unfinished snapshot is a blocking one (`blocking_snapshot`) */
  readonly blocking: BlockingSnapshot | null;
  readonly txId: number | null;
}

/** The offsets partition: Debezium's `{"server": "<topic.prefix>"}`. */
export function sourcePartition(topicPrefix: string): SourcePartition {
  return Object.freeze({ server: topicPrefix });
}

/** Fields of a stream or heartbeat offset. */
export interface StreamOffsetFields {
  readonly position: StreamPosition;
  /** LSN of the change itself (Debezium's `lsn`); the position's LSN for heartbeats */
  readonly lsn: Lsn;
  readonly txId: number | null;
  readonly commitTimeMicros: bigint;
}

/**
 * A streaming offset with Debezium's keys (`lsn`, `lsn_commit`, `lsn_proc`, `txId`, `ts_usec`) plus
 * `event_index`, which lets a restart skip the already-delivered part of a transaction.
 */
export function streamOffset(f: StreamOffsetFields): SourceOffset {
  return Object.freeze({
    lsn: lsnToNumber(f.lsn),
    lsn_proc: lsnToNumber(f.lsn),
    lsn_commit: lsnToNumber(f.position.commitLsn),
    event_index: f.position.eventIndex,
    txId: f.txId,
    ts_usec: Number(f.commitTimeMicros),
  });
}

/** A snapshot record's offset (Debezium's `snapshot` / `last_snapshot_record` plus resume progress). */
export function snapshotOffset(
  position: StreamPosition,
  progress: SnapshotProgress,
  last: boolean,
  txId: number | null,
  readTimeMicros: bigint,
): SourceOffset {
  return Object.freeze({
    lsn: lsnToNumber(position.commitLsn),
    lsn_commit: lsnToNumber(position.commitLsn),
    event_index: position.eventIndex,
    txId,
    ts_usec: Number(readTimeMicros),
    snapshot: true,
    last_snapshot_record: last,
    snapshot_table: progress.table,
    snapshot_key: progress.lastKey === null ? null : JSON.stringify(progress.lastKey),
  });
}

/**
 * Decodes a stored offset, ours or Debezium's. A Debezium offset has no `event_index`: its
 * transaction at `lsn_commit` is then replayed whole (duplicates, never loss).
 * @throws DataError when the offset has no usable LSN.
 */
export function decodeOffset(offset: SourceOffset): DecodedOffset {
  const commitLsn = lsnFromOffsetValue(offset['lsn_commit']) ?? lsnFromOffsetValue(offset['lsn']);
  if (commitLsn === null)
    throw new DataError(`The stored offset has neither "lsn_commit" nor "lsn": ${JSON.stringify(offset)}`);
  const rawIndex = offset['event_index'];
  const eventIndex = typeof rawIndex === 'number' && Number.isInteger(rawIndex) ? rawIndex : -1;
  const txIdRaw = offset['txId'];
  const txId = typeof txIdRaw === 'number' ? txIdRaw : null;
  let snapshot: SnapshotProgress | null = null;
  const inSnapshot = offset['snapshot'] === true || offset['snapshot'] === 'true';
  const last = offset['last_snapshot_record'] === true || offset['last_snapshot_record'] === 'true';
  if (inSnapshot && !last) {
    const table = offset['snapshot_table'];
    const key = offset['snapshot_key'];
    let lastKey: string[] | null = null;
    if (typeof key === 'string') {
      const parsed: unknown = JSON.parse(key);
      if (!Array.isArray(parsed) || !parsed.every((v) => typeof v === 'string'))
        throw new DataError('Invalid "snapshot_key" in the stored offset');
      lastKey = parsed as string[];
    }
    // A Debezium snapshot offset has no progress fields: its snapshot restarts from the first table.
    snapshot = { table: typeof table === 'string' ? table : '', lastKey: typeof table === 'string' ? lastKey : null };
  }
  let blocking: BlockingSnapshot | null = null;
  const rawBlocking = offset['blocking_snapshot'];
  if (snapshot !== null && typeof rawBlocking === 'string' && rawBlocking !== '') {
    const parsed = JSON.parse(rawBlocking) as Partial<BlockingSnapshot>;
    if (typeof parsed.id !== 'string' || !Array.isArray(parsed.tables) || !parsed.tables.every((t) => typeof t?.table === 'string'))
      throw new DataError('Invalid "blocking_snapshot" in the stored offset');
    blocking = { id: parsed.id, tables: parsed.tables.map((t) => ({ table: t.table, filter: typeof t.filter === 'string' ? t.filter : null })) };
  }
  return { position: { commitLsn, eventIndex }, snapshot, blocking, txId };
}
