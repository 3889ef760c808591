import type { SourceOffset, SourcePartition, SourceRecord } from '@sluice/core';
import { stableStringify } from '../storage/offset-store.js';

/** A record handed to the log and not yet known to be durable. */
export interface SubmittedRecord {
  readonly record: SourceRecord;
  acked: boolean;
}

/**
 * Tracks source records per source partition in submission order (Kafka Connect's SubmittedRecords):
 * a partition's offset becomes committable only when every earlier record of that partition is
 * acknowledged (or deliberately dropped), so a crash can never skip an unacknowledged record.
 */
/** Source tasks usually reuse one partition object per partition: cache its canonical key. */
const keyCache = new WeakMap<object, string>();
function partitionKey(partition: SourcePartition): string {
  let key = keyCache.get(partition);
  if (key === undefined) {
    key = stableStringify(partition);
    keyCache.set(partition, key);
  }
  return key;
}

export class SubmittedRecords {
  private readonly byPartition = new Map<string, { partition: SourcePartition; queue: SubmittedRecord[] }>();
  private readonly committable = new Map<string, { partition: SourcePartition; offset: SourceOffset }>();
  private outstanding = 0;

  submit(record: SourceRecord): SubmittedRecord {
    const key = partitionKey(record.sourcePartition);
    let entry = this.byPartition.get(key);
    if (!entry) this.byPartition.set(key, (entry = { partition: record.sourcePartition, queue: [] }));
    const submitted: SubmittedRecord = { record, acked: false };
    entry.queue.push(submitted);
    this.outstanding++;
    return submitted;
  }

  ack(submitted: SubmittedRecord): void {
    if (submitted.acked) return;
    submitted.acked = true;
    this.outstanding--;
    const key = partitionKey(submitted.record.sourcePartition);
    const entry = this.byPartition.get(key);
    if (!entry) return;
    // Advance over the acknowledged prefix only.
    while (entry.queue.length > 0 && entry.queue[0]!.acked) {
      const head = entry.queue.shift()!;
      this.committable.set(key, { partition: entry.partition, offset: head.record.sourceOffset });
    }
    if (entry.queue.length === 0) this.byPartition.delete(key);
  }

  /** Takes the committable offsets gathered since the last call. */
  drainCommittable(): { partition: SourcePartition; offset: SourceOffset }[] {
    const out = [...this.committable.values()];
    this.committable.clear();
    return out;
  }

  /** Puts offsets back after a failed flush so the next flush retries them (newer ones win). */
  restore(entries: readonly { partition: SourcePartition; offset: SourceOffset }[]): void {
    for (const e of entries) {
      const key = stableStringify(e.partition);
      if (!this.committable.has(key)) this.committable.set(key, e);
    }
  }

  get pending(): number {
    return this.outstanding;
  }
}
