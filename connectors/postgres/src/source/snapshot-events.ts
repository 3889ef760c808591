import { ConnectError, sourceRecord, type SourcePartition, type SourceRecord } from '@sluice/core';
import { formatLsn } from '../replication/lsn.js';
import { envelopeStruct, sourceStruct } from './envelope-schemas.js';
import type { PostgresSourceSettings } from './postgres-source-config.js';
import type { SlotInfo } from './replication-setup.js';
import type { SnapshotChunk } from './snapshot-reader.js';
import {
  describePosition,
  snapshotOffset,
  type DecodedOffset,
  type SnapshotProgress,
  type StreamPosition,
} from './source-position.js';

/** A snapshot record with the progress it completes. */
export interface SnapshotEvent {
  readonly record: SourceRecord;
  readonly progress: SnapshotProgress;
}

/**
 * Turns a snapshot chunk into `op: r` records. Every record carries the stream position streaming
 * will start from, plus the snapshot progress after its row, so a restart resumes after the last
 * committed row. The last row of the whole snapshot is marked `snapshot: last`.
 */
export function snapshotEvents(
  chunk: SnapshotChunk,
  position: StreamPosition,
  settings: PostgresSourceSettings,
  partition: SourcePartition,
): SnapshotEvent[] {
  const table = chunk.table.captured;
  const nowMs = Date.now();
  const nowMicros = BigInt(nowMs) * 1000n;
  return chunk.rows.map((values, i) => {
    const last = chunk.snapshotDone && i === chunk.rows.length - 1;
    const after = table.row(values);
    const progress = { table: table.id, lastKey: chunk.keys[i] ?? null };
    const source = sourceStruct({
      serverName: settings.topicPrefix,
      database: settings.endpoint.database,
      schema: table.schema,
      table: table.table,
      timestampMicros: nowMicros,
      snapshot: last ? 'last' : 'true',
      txId: null,
      lsn: Number(position.commitLsn),
      sequence: null,
    });
    const record = sourceRecord({
      sourcePartition: partition,
      sourceOffset: snapshotOffset(position, progress, last, null, nowMicros),
      topic: table.topic,
      keySchema: table.keySchema,
      key: table.key(after),
      valueSchema: table.envelopeSchema,
      value: envelopeStruct(table.envelopeSchema, { before: null, after, source, op: 'r', transaction: null, nowMs }),
    });
    return { record, progress };
  });
}

/** The slot lost the WAL it needed (`wal_status = lost`). */
export function slotLostError(slotName: string): ConnectError {
  return new ConnectError(
    `Replication slot "${slotName}" has been invalidated (wal_status=lost): the WAL it needed was removed, so changes since the last committed offset are no longer available on the server. ` +
      'Recover with snapshot.mode=when_needed (the connector then recreates the slot and re-snapshots), or drop the slot and clear the connector offsets.',
  );
}

/** The stored offset is before what the slot can still deliver, or the slot is gone. */
export function positionUnavailableError(slotName: string, stored: DecodedOffset, slot: SlotInfo | null): ConnectError {
  const where =
    slot === null
      ? 'does not exist (it was dropped or never created here)'
      : `is already at ${formatLsn(slot.confirmedFlushLsn ?? 0n)}`;
  return new ConnectError(
    `The connector's stored position ${describePosition(stored.position)} is no longer available on the server: replication slot "${slotName}" ${where}, so changes after the stored position may have been lost. ` +
      'Refusing to skip them silently. Recover by setting snapshot.mode=when_needed (re-snapshot, then stream), or by clearing the connector offsets (DELETE /connectors/<name>/offsets while stopped).',
  );
}
