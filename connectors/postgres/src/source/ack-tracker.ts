/**
 * Tracks records handed out by `poll()` until the runtime acknowledges them, and yields the position
 * of the newest record whose predecessors are all acknowledged. That is the most the runtime can
 * have committed for the single source partition (it commits offsets only in poll order), so it is
 * the most the connector may confirm upstream. Acknowledgements may arrive out of order (records of
 * different topics are written separately).
 */
export class AckTracker<R extends object, P> {
  private readonly entries: { record: R; position: P; acked: boolean }[] = [];
  private head = 0;
  private readonly byRecord = new Map<R, { record: R; position: P; acked: boolean }>();
  private acknowledgedPosition: P | null = null;

  /** Registers a record in poll order. */
  track(record: R, position: P): void {
    const entry = { record, position, acked: false };
    this.entries.push(entry);
    this.byRecord.set(record, entry);
  }

  /** Marks a record acknowledged; unknown records (from before a restart) are ignored. */
  ack(record: R): void {
    const entry = this.byRecord.get(record);
    if (entry === undefined) return;
    entry.acked = true;
    this.byRecord.delete(record);
    while (this.head < this.entries.length && (this.entries[this.head] as { acked: boolean }).acked) {
      this.acknowledgedPosition = (this.entries[this.head] as { position: P }).position;
      this.head++;
    }
    // compact now and then so the array does not grow without bound
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries.splice(0, this.head);
      this.head = 0;
    }
  }

  /** Position of the newest record with every earlier record acknowledged; null before the first. */
  get acknowledged(): P | null {
    return this.acknowledgedPosition;
  }

  /** Records handed out but not yet acknowledged. */
  get inFlight(): number {
    return this.entries.length - this.head;
  }
}
