import type { ConnectError } from '@sluice/core';
import type { SnapshotMode } from './postgres-source-config.js';
import type { SlotInfo } from './replication-setup.js';
import { positionUnavailableError, slotLostError } from './snapshot-events.js';
import type { DecodedOffset, SnapshotProgress, StreamPosition } from './source-position.js';

/** A snapshot to take at start: from the beginning (`resume` null) or after stored progress. */
export interface PlannedSnapshot {
  readonly resume: SnapshotProgress | null;
}

/** What a starting task does, decided from the snapshot mode, the stored offset and the slot. */
export type StartPlan =
  /** initial_only: no slot; snapshot unless a finished one is stored */
  | { readonly kind: 'snapshot-only'; readonly snapshot: PlannedSnapshot | null; readonly position: StreamPosition }
  /** create the slot (dropping a lost one first) and stream from its consistent point, after an exported snapshot when `snapshot` */
  | { readonly kind: 'create-slot'; readonly dropLostSlot: boolean; readonly snapshot: boolean }
  /** stream from the existing slot at `streamFrom`, after a snapshot in a new transaction when `snapshot` is set */
  | {
      readonly kind: 'use-slot';
      readonly streamFrom: StreamPosition;
      readonly snapshot: PlannedSnapshot | null;
      readonly reason: string;
    }
  | { readonly kind: 'fail'; readonly error: ConnectError };

/**
 * Decides how to start, with Debezium's snapshot-mode semantics. Never silently skips changes: when
 * the stored position cannot be served (slot missing, invalidated or already past it) the plan is to
 * fail with recovery instructions, unless `when_needed` allows a new snapshot. Pure.
 */
export function planStart(
  mode: SnapshotMode,
  slotName: string,
  stored: DecodedOffset | null,
  slot: SlotInfo | null,
): StartPlan {
  if (mode === 'initial_only') {
    const done = stored !== null && stored.snapshot === null;
    return {
      kind: 'snapshot-only',
      snapshot: done ? null : { resume: stored?.snapshot ?? null },
      position: stored?.position ?? { commitLsn: 0n, eventIndex: -1 },
    };
  }
  const wantsSnapshot = mode !== 'no_data';
  if (slot !== null && slot.walStatus === 'lost') {
    return mode === 'when_needed'
      ? { kind: 'create-slot', dropLostSlot: true, snapshot: true }
      : { kind: 'fail', error: slotLostError(slotName) };
  }
  if (slot === null) {
    // Without a stored stream position there is nothing to lose; `always` re-snapshots anyway.
    const positionLost = stored !== null && stored.snapshot === null && mode !== 'when_needed' && mode !== 'always';
    return positionLost
      ? { kind: 'fail', error: positionUnavailableError(slotName, stored, null) }
      : { kind: 'create-slot', dropLostSlot: false, snapshot: wantsSnapshot };
  }
  const slotPosition: StreamPosition = { commitLsn: slot.confirmedFlushLsn ?? 0n, eventIndex: -1 };
  if (stored === null) {
    // The slot outlived the offsets (a crash before the first commit, or reset offsets): its exported
    // snapshot is gone, so a new one overlaps the stream (at-least-once, never a gap).
    return {
      kind: 'use-slot',
      streamFrom: slotPosition,
      snapshot: wantsSnapshot ? { resume: null } : null,
      reason: 'slot without offsets',
    };
  }
  if (slotPosition.commitLsn > stored.position.commitLsn) {
    return mode === 'when_needed'
      ? {
          kind: 'use-slot',
          streamFrom: slotPosition,
          snapshot: { resume: null },
          reason: 'stored offset older than the slot',
        }
      : { kind: 'fail', error: positionUnavailableError(slotName, stored, slot) };
  }
  if (stored.snapshot !== null)
    return {
      kind: 'use-slot',
      streamFrom: stored.position,
      snapshot: { resume: stored.snapshot },
      reason: 'resuming the interrupted snapshot',
    };
  if (mode === 'always')
    return {
      kind: 'use-slot',
      streamFrom: stored.position,
      snapshot: { resume: null },
      reason: 'snapshot.mode=always',
    };
  return { kind: 'use-slot', streamFrom: stored.position, snapshot: null, reason: 'resuming from the stored offset' };
}
