import type { Logger } from '@sluice/core';
import { DataError, IllegalStateError, NotFoundError } from '@sluice/core';
import type { FetchOptions, GroupConsumer, LogRecord, RebalanceListener, Subscription, TopicPartitionOffset } from '../../log/log.js';
import { ChangeNotifier } from './change-notifier.js';
import type { GroupCoordinator, TopicPartition } from './group-coordinator.js';
import { tpKey } from './group-coordinator.js';
import type { LogStore } from './log-store.js';

/** What a group consumer needs from the embedded log that created it. */
export interface GroupConsumerContext {
  readonly store: LogStore;
  readonly coordinator: GroupCoordinator;
  readonly notifier: ChangeNotifier;
  readonly logger: Logger;
  /** true once the owning log is closed */
  isClosed(): boolean;
}

const DEFAULT_MAX_RECORDS = 500;

/**
 * A member of an in-process consumer group of the embedded log (see GroupCoordinator for how
 * partitions are shared and handed over). Assignment changes are applied at the start of `poll()`:
 * first `onPartitionsRevoked` for partitions the member loses (while it still owns them, so it can
 * commit), then `onPartitionsAssigned` for those it gains (positions are already set, so a `seek`
 * inside the callback wins). A listener error is rethrown from `poll()` after the change is applied.
 *
 * Like Kafka's consumer it is not safe for concurrent use: a second `poll()` while one is running
 * rejects. A member that stops polling keeps its partitions, and partitions moving to another member
 * wait until this one polls (or closes) and gives them up.
 */
export class EmbeddedGroupConsumer implements GroupConsumer {
  /** This member's id, `<clientId>-<sequence>`; members are ordered by it for assignment. */
  readonly memberId: string;
  private listener: RebalanceListener | null = null;
  private readonly owned = new Map<string, TopicPartition>();
  private readonly positions = new Map<string, number>();
  private readonly paused = new Set<string>();
  private seenVersion = -1;
  private cursor = 0;
  private inflight: Promise<LogRecord[]> | null = null;
  private closing: Promise<void> | null = null;
  /** set once `close()` finished; commits stay allowed while closing (from the revocation callback) */
  private closed = false;
  private readonly closeController = new AbortController();
  private readonly logger: Logger;

  constructor(
    private readonly ctx: GroupConsumerContext,
    readonly groupId: string,
    clientId: string,
  ) {
    this.memberId = ctx.coordinator.join(groupId, clientId);
    this.logger = ctx.logger.child({ groupId, memberId: this.memberId });
  }

  async subscribe(subscription: Subscription, listener: RebalanceListener): Promise<void> {
    this.ensureUsable(false);
    if (!subscription.topics?.length && !subscription.topicsRegex) {
      throw new DataError('A subscription needs topics or topicsRegex');
    }
    this.listener = listener;
    this.ctx.coordinator.subscribe(this.groupId, this.memberId, subscription);
  }

  poll(options: FetchOptions = {}): Promise<LogRecord[]> {
    try {
      this.ensureUsable(true);
      if (this.inflight) throw new IllegalStateError('poll() is already running on this group consumer; it is not safe for concurrent use');
    } catch (err) {
      return Promise.reject(err);
    }
    const run = this.pollOnce(options).finally(() => {
      this.inflight = null;
    });
    this.inflight = run;
    return run;
  }

  async commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    if (this.closed) throw new IllegalStateError(`Group consumer ${this.memberId} of group ${this.groupId} is closed`);
    if (this.ctx.isClosed()) throw new IllegalStateError('The embedded log is closed');
    for (const o of offsets) this.requireOwned(o, 'commit offsets for');
    this.ctx.store.commitGroupOffsets(this.groupId, offsets, Date.now());
  }

  seek(tp: { topic: string; partition: number }, offset: number): void {
    this.requireOwned(tp, 'seek');
    if (!Number.isSafeInteger(offset) || offset < 0) {
      throw new DataError(`Cannot seek ${tp.topic}-${tp.partition} to ${offset}: offsets are non-negative integers`, {
        context: { topic: tp.topic, partition: tp.partition },
      });
    }
    this.positions.set(tpKey(tp), offset);
  }

  pause(tps: readonly { topic: string; partition: number }[]): void {
    for (const tp of tps) this.requireOwned(tp, 'pause');
    for (const tp of tps) this.paused.add(tpKey(tp));
  }

  resume(tps: readonly { topic: string; partition: number }[]): void {
    for (const tp of tps) this.requireOwned(tp, 'resume');
    for (const tp of tps) this.paused.delete(tpKey(tp));
  }

  assignment(): { topic: string; partition: number }[] {
    return sortTps([...this.owned.values()]).map((tp) => ({ topic: tp.topic, partition: tp.partition }));
  }

  /** The next offset `poll` will read for an assigned partition; undefined when not assigned. */
  position(tp: { topic: string; partition: number }): number | undefined {
    return this.positions.get(tpKey(tp));
  }

  close(): Promise<void> {
    this.closing ??= this.leave();
    return this.closing;
  }

  private async leave(): Promise<void> {
    this.closeController.abort();
    await this.inflight?.catch(() => undefined);
    const owned = sortTps([...this.owned.values()]);
    try {
      if (owned.length > 0 && this.listener) await this.listener.onPartitionsRevoked(owned);
    } finally {
      this.owned.clear();
      this.positions.clear();
      this.paused.clear();
      this.closed = true;
      this.ctx.coordinator.leave(this.groupId, this.memberId);
    }
  }

  private async pollOnce(options: FetchOptions): Promise<LogRecord[]> {
    const maxRecords = options.maxRecords ?? DEFAULT_MAX_RECORDS;
    if (!Number.isInteger(maxRecords) || maxRecords < 1) throw new DataError(`maxRecords must be a positive integer, got ${maxRecords}`);
    const deadline = Date.now() + Math.max(0, options.maxWaitMs ?? 0);
    const signal = options.signal ? AbortSignal.any([options.signal, this.closeController.signal]) : this.closeController.signal;
    for (;;) {
      if (this.stopping()) return [];
      await this.reconcile();
      if (this.stopping()) return [];
      // From here to the wait registration there is no `await`, so an append cannot slip in between.
      const records = this.fetchFair(maxRecords);
      const remainingMs = deadline - Date.now();
      if (records.length > 0 || remainingMs <= 0 || signal.aborted) return records;
      if (this.seenVersion !== this.ctx.coordinator.version(this.groupId)) continue;
      const keys = [ChangeNotifier.groupKey(this.groupId)];
      for (const [key, tp] of this.owned) if (!this.paused.has(key)) keys.push(ChangeNotifier.partitionKey(tp.topic, tp.partition));
      await this.ctx.notifier.wait(keys, remainingMs, signal);
    }
  }

  /** Applies the group's latest target: revoke what moved away, then take what is free and ours. */
  private async reconcile(): Promise<void> {
    const { coordinator } = this.ctx;
    const version = coordinator.version(this.groupId);
    if (version === this.seenVersion) return;
    this.seenVersion = version;
    const target = coordinator.target(this.groupId, this.memberId);
    const targetKeys = new Set(target.map(tpKey));
    let failure: unknown;
    const lost = sortTps([...this.owned.values()].filter((tp) => !targetKeys.has(tpKey(tp))));
    if (lost.length > 0) {
      try {
        await this.listener?.onPartitionsRevoked(lost);
      } catch (err) {
        failure = err;
      }
      for (const tp of lost) {
        const key = tpKey(tp);
        this.owned.delete(key);
        this.positions.delete(key);
        this.paused.delete(key);
      }
      coordinator.release(this.groupId, this.memberId, lost);
      this.logger.debug('Partitions revoked', { partitions: lost });
    }
    const gained = target.filter((tp) => !this.owned.has(tpKey(tp)) && coordinator.owner(this.groupId, tp) === undefined);
    if (gained.length > 0) {
      coordinator.acquire(this.groupId, this.memberId, gained);
      for (const tp of gained) {
        const key = tpKey(tp);
        this.owned.set(key, tp);
        this.positions.set(key, this.initialPosition(tp));
      }
      this.logger.debug('Partitions assigned', { partitions: gained });
      try {
        await this.listener?.onPartitionsAssigned(gained);
      } catch (err) {
        failure ??= err;
      }
    }
    if (failure !== undefined) throw failure;
  }

  /** Committed offset of the group, else the first offset still in the partition. */
  private initialPosition(tp: TopicPartition): number {
    const committed = this.ctx.store.groupOffset(this.groupId, tp.topic, tp.partition);
    if (committed !== undefined) return committed;
    const topic = this.ctx.store.topic(tp.topic);
    return topic ? this.ctx.store.startOffset(topic, tp.partition) : 0;
  }

  /**
   * Reads across the fetchable partitions, starting one partition further each poll. A first pass
   * gives each partition an equal share of `maxRecords`; a second fills the rest from those that had more.
   */
  private fetchFair(maxRecords: number): LogRecord[] {
    const fetchable = sortTps([...this.owned.values()]).filter((tp) => !this.paused.has(tpKey(tp)));
    if (fetchable.length === 0) return [];
    const start = this.cursor % fetchable.length;
    this.cursor = start + 1;
    const order = [...fetchable.slice(start), ...fetchable.slice(0, start)];
    const share = Math.max(1, Math.ceil(maxRecords / order.length));
    const out: LogRecord[] = [];
    const more: TopicPartition[] = [];
    for (const tp of order) {
      const room = Math.min(share, maxRecords - out.length);
      if (room <= 0) break;
      if (this.readInto(out, tp, room) === room) more.push(tp);
    }
    for (const tp of more) {
      const room = maxRecords - out.length;
      if (room <= 0) break;
      this.readInto(out, tp, room);
    }
    return out;
  }

  private readInto(out: LogRecord[], tp: TopicPartition, max: number): number {
    const key = tpKey(tp);
    let records: LogRecord[];
    try {
      records = this.ctx.store.read(tp.topic, tp.partition, this.positions.get(key) ?? 0, max);
    } catch (err) {
      // The topic was deleted: the coordinator has already dropped it, the next reconcile revokes it.
      if (NotFoundError.is(err)) return 0;
      throw err;
    }
    const last = records[records.length - 1];
    if (last) this.positions.set(key, last.offset + 1);
    for (const r of records) out.push(r);
    return records.length;
  }

  private stopping(): boolean {
    return this.closeController.signal.aborted || this.ctx.isClosed();
  }

  private ensureUsable(needSubscription: boolean): void {
    if (this.closing) throw new IllegalStateError(`Group consumer ${this.memberId} of group ${this.groupId} is closed`);
    if (this.ctx.isClosed()) throw new IllegalStateError('The embedded log is closed');
    if (needSubscription && !this.listener) {
      throw new IllegalStateError(`Group consumer ${this.memberId} of group ${this.groupId} is not subscribed to any topics`);
    }
  }

  private requireOwned(tp: { topic: string; partition: number }, action: string): void {
    if (!this.owned.has(tpKey(tp))) {
      throw new IllegalStateError(
        `Cannot ${action} ${tp.topic}-${tp.partition}: it is not assigned to member ${this.memberId} of group ${this.groupId}`,
        { context: { topic: tp.topic, partition: tp.partition, groupId: this.groupId } },
      );
    }
  }
}

function sortTps(tps: TopicPartition[]): TopicPartition[] {
  return tps.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
}
