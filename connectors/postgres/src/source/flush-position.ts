import type { SourceOffset, SourceRecord } from '@sluice/core';
import { AckTracker } from './ack-tracker.js';
import { comparePositions, decodeOffset, type StreamPosition } from './source-position.js';

/**
 * Decides which stream position may be confirmed to PostgreSQL as flushed — the only thing that lets
 * the server discard WAL. A position qualifies once its record and every earlier one were
 * acknowledged by the log (`ack`) and the offsets store holds it durably.
 *
 * The runtime calls `commit()` after an offsets flush, but records acknowledged while that flush was
 * in flight may not be in it. So at each commit the tracker confirms what was acknowledged at the
 * previous commit (certainly flushed by now), or more when the offsets reader already shows a later
 * stored position (a live reader, as the worker's is), never beyond what is acknowledged now.
 */
export class FlushPositionTracker {
  private readonly acks = new AckTracker<SourceRecord, StreamPosition>();
  private ackedAtLastCommit: StreamPosition | null = null;

  /** @param readStoredOffset reads the connector's stored offset for its partition (null when none) */
  constructor(private readonly readStoredOffset: () => Promise<SourceOffset | null>) {}

  /** Registers a record handed out by `poll`, in poll order. */
  track(record: SourceRecord, position: StreamPosition): void {
    this.acks.track(record, position);
  }

  /** The runtime acknowledged (or dropped) a record. */
  ack(record: SourceRecord): void {
    this.acks.ack(record);
  }

  /** Called from the task's `commit()`: the position now safe to confirm, or null for none. */
  async onCommit(): Promise<StreamPosition | null> {
    const acked = this.acks.acknowledged;
    const previous = this.ackedAtLastCommit;
    this.ackedAtLastCommit = acked;
    if (acked === null) return null;
    const storedRaw = await this.readStoredOffset();
    if (storedRaw === null) return previous;
    const stored = decodeOffset(storedRaw).position;
    if (comparePositions(stored, acked) >= 0) return acked;
    return previous === null || comparePositions(stored, previous) > 0 ? stored : previous;
  }
}
