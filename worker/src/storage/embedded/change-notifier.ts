/**
 * In-process wake-ups for long polls: a fetch with nothing to return waits on the keys it cares about
 * (a topic-partition, a consumer group) instead of polling the database. Everything that changes
 * the log runs on this one thread and calls `notify` synchronously after its transaction commits, so
 * a waiter registered right after an empty read (with no `await` in between) cannot miss an append.
 */
export class ChangeNotifier {
  private readonly waiters = new Map<string, Set<() => void>>();
  private closed = false;

  /** Key for appends to one partition of a topic. */
  static partitionKey(topic: string, partition: number): string {
    return `p:${partition}:${topic}`;
  }

  /** Key for membership, assignment or ownership changes of a consumer group. */
  static groupKey(groupId: string): string {
    return `g:${groupId}`;
  }

  /**
   * Resolves when any of `keys` is notified, `timeoutMs` passes, `signal` aborts, or the notifier is
   * closed, whichever comes first. Never rejects. Resolves at once when already closed or aborted.
   */
  wait(keys: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.closed || signal?.aborted || timeoutMs <= 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        for (const key of keys) {
          const set = this.waiters.get(key);
          if (!set) continue;
          set.delete(done);
          if (set.size === 0) this.waiters.delete(key);
        }
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal?.addEventListener('abort', done, { once: true });
      for (const key of keys) {
        let set = this.waiters.get(key);
        if (!set) {
          set = new Set();
          this.waiters.set(key, set);
        }
        set.add(done);
      }
    });
  }

  /** Wakes every waiter on the given keys. Synchronous; waiters resume on a later tick. */
  notify(...keys: string[]): void {
    for (const key of keys) {
      const set = this.waiters.get(key);
      if (!set) continue;
      for (const done of [...set]) done();
    }
  }

  /** Wakes every waiter and makes later waits resolve immediately. Idempotent. */
  close(): void {
    this.closed = true;
    for (const set of [...this.waiters.values()]) for (const done of [...set]) done();
    this.waiters.clear();
  }
}
