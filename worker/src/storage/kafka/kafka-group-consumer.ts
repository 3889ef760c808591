import { setTimeout as sleep } from 'node:timers/promises';
import { IllegalStateError, RetriableError, noopLogger } from '@sluice/core';
import type { Logger } from '@sluice/core';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { FetchOptions, GroupConsumer, LogRecord, RebalanceListener, Subscription, TopicPartitionOffset } from '../../log/log.js';
import { toConnectError } from './kafka-errors.js';
import { toLogRecord } from './kafka-records.js';

/** Tuning of {@link KafkaGroupConsumer}; every field has a default. */
export interface KafkaGroupConsumerOptions {
  /** kafkajs `sessionTimeout` (default 30,000) */
  readonly sessionTimeoutMs?: number;
  /** kafkajs `heartbeatInterval` (default 3,000) */
  readonly heartbeatIntervalMs?: number;
  /** kafkajs `rebalanceTimeout` (default 60,000) */
  readonly rebalanceTimeoutMs?: number;
  /** broker long-poll of kafkajs's fetch loop; also bounds how long `close` waits for it (default 500) */
  readonly fetchMaxWaitMs?: number;
  /** default 1 MiB */
  readonly maxBytesPerPartition?: number;
  /** kafkajs stops fetching while this many records of unpaused partitions wait for `poll` (default 2,000) */
  readonly maxBufferedRecords?: number;
  readonly logger?: Logger;
}

type TP = { topic: string; partition: number };

const keyOf = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

function byTopic(tps: Iterable<TP>): { topic: string; partitions: number[] }[] {
  const grouped = new Map<string, number[]>();
  for (const { topic, partition } of tps) grouped.set(topic, [...(grouped.get(topic) ?? []), partition]);
  return [...grouped].map(([topic, partitions]) => ({ topic, partitions }));
}

/**
 * The port's poll-based group member over kafkajs's push-based consumer.
 *
 * kafkajs runs its own fetch loop and pushes batches into `eachBatch`; we buffer them per partition
 * and hand them out from `poll()`. Backpressure: once `maxBufferedRecords` records of unpaused
 * partitions are waiting, `eachBatch` does not return (kafkajs fetches a node's next batch only after
 * the previous one is handled) but keeps heartbeating, so a slow `poll` caller never costs the group
 * membership. `pause`/`resume` map onto kafkajs's; records already buffered for a paused partition are
 * kept and handed out after `resume`.
 *
 * Rebalances: kafkajs implements only the eager protocol and reports the outcome of a rebalance after
 * it happened (its GROUP_JOIN event); it has no hook that runs before partitions are given up. So
 * `onPartitionsRevoked` runs during the first `poll()` after the rejoin, not before it: another member
 * may already own those partitions and be reading them, and an offset committed from the revocation
 * callback can overwrite that member's newer commit (records are then delivered again: at-least-once
 * holds, exactly-once across rebalances does not). We deliver differences, as the cooperative
 * protocol does: partitions kept across a rebalance are neither revoked nor re-assigned, and their
 * buffered records and positions survive (kafkajs would restart them from the committed offset; we
 * seek it back to where we were). Liveness is kafkajs's heartbeat, not the `poll` cadence, so there is
 * no `max.poll.interval.ms` equivalent. Regex subscriptions are resolved once, at `subscribe`.
 */
export class KafkaGroupConsumer implements GroupConsumer {
  private consumer: Consumer | null = null;
  private listener: RebalanceListener | null = null;
  /** assignment as kafkajs last reported it */
  private target = new Map<string, TP>();
  /** assignment as delivered to the listener; what `assignment()` reports */
  private readonly delivered = new Map<string, TP>();
  private readonly buffers = new Map<string, LogRecord[]>();
  /** offset after the last record buffered or handed out, per partition */
  private readonly nextOffsets = new Map<string, number>();
  private readonly paused = new Set<string>();
  private pollWaiters = new Set<() => void>();
  private drainWaiters = new Set<() => void>();
  private member = false;
  private failure: unknown = null;
  private closing: Promise<void> | null = null;
  private rotation = 0;
  private readonly logger: Logger;
  private readonly maxBuffered: number;

  constructor(
    private readonly kafka: Kafka,
    private readonly groupId: string,
    private readonly options: KafkaGroupConsumerOptions = {},
    private readonly onClosed: () => void = () => undefined,
  ) {
    this.logger = (options.logger ?? noopLogger).child({ groupId });
    this.maxBuffered = options.maxBufferedRecords ?? 2000;
  }

  async subscribe(subscription: Subscription, listener: RebalanceListener): Promise<void> {
    if (this.closing) throw new IllegalStateError(`Consumer of group ${this.groupId} is closed`);
    if (this.consumer) throw new IllegalStateError(`Consumer of group ${this.groupId} is already subscribed`);
    const topics: (string | RegExp)[] = [...(subscription.topics ?? [])];
    if (subscription.topicsRegex) topics.push(subscription.topicsRegex);
    if (topics.length === 0) throw new IllegalStateError(`Subscription of group ${this.groupId} names no topics`);
    this.listener = listener;
    const consumer = this.kafka.consumer({
      groupId: this.groupId,
      sessionTimeout: this.options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: this.options.heartbeatIntervalMs ?? 3_000,
      rebalanceTimeout: this.options.rebalanceTimeoutMs ?? 60_000,
      maxWaitTimeInMs: this.options.fetchMaxWaitMs ?? 500,
      maxBytesPerPartition: this.options.maxBytesPerPartition ?? 1024 * 1024,
      allowAutoTopicCreation: false,
      readUncommitted: false,
    });
    consumer.on(consumer.events.GROUP_JOIN, (event) => this.onJoin(event.payload.memberAssignment));
    consumer.on(consumer.events.CRASH, (event) => this.onCrash(event.payload.error, event.payload.restart));
    this.consumer = consumer;
    try {
      await consumer.connect();
      await consumer.subscribe({ topics, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 1,
        eachBatch: (payload) => this.onBatch(payload),
      });
    } catch (err) {
      this.consumer = null;
      await consumer.disconnect().catch(() => undefined);
      throw toConnectError(err, `Subscribing group ${this.groupId}`, { groupId: this.groupId });
    }
  }

  async poll(options: FetchOptions = {}): Promise<LogRecord[]> {
    if (!this.consumer) throw new IllegalStateError(`Consumer of group ${this.groupId} polled before subscribe`);
    const maxRecords = Math.max(1, options.maxRecords ?? 500);
    const deadline = Date.now() + Math.max(0, options.maxWaitMs ?? 0);
    for (;;) {
      if (this.failure !== null) throw toConnectError(this.failure, `Consumer of group ${this.groupId}`, { groupId: this.groupId });
      if (this.closing) return [];
      await this.deliverRebalance();
      const records = this.take(maxRecords);
      if (records.length > 0) return records;
      const remaining = deadline - Date.now();
      if (remaining <= 0 || options.signal?.aborted) return [];
      await this.waitForRecords(remaining, options.signal);
    }
  }

  async commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    const consumer = this.consumer;
    if (!consumer) throw new IllegalStateError(`Consumer of group ${this.groupId} committed before subscribe`);
    if (offsets.length === 0) return;
    // kafkajs silently skips a commit while its consumer is not running (after a crash, before restart).
    if (!this.member) throw new RetriableError(`Consumer of group ${this.groupId} is not a group member right now`);
    try {
      await consumer.commitOffsets(offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: String(o.offset) })));
    } catch (err) {
      throw toConnectError(err, `Committing offsets of group ${this.groupId}`, { groupId: this.groupId });
    }
  }

  seek(tp: { topic: string; partition: number }, offset: number): void {
    const key = this.assigned(tp, 'seek');
    if (!Number.isInteger(offset) || offset < 0) throw new IllegalStateError(`Cannot seek ${tp.topic}-${tp.partition} to ${offset}`);
    this.buffers.delete(key);
    this.nextOffsets.set(key, offset);
    // kafkajs applies it before its next fetch and drops batches of this partition fetched before.
    this.kafkajs('seek', (c) => c.seek({ topic: tp.topic, partition: tp.partition, offset: String(offset) }));
    this.wake(this.drainWaiters);
  }

  pause(tps: readonly { topic: string; partition: number }[]): void {
    for (const tp of tps) this.paused.add(this.assigned(tp, 'pause'));
    if (tps.length > 0) this.kafkajs('pause', (c) => c.pause(byTopic(tps)));
    this.wake(this.drainWaiters);
  }

  resume(tps: readonly { topic: string; partition: number }[]): void {
    for (const tp of tps) this.paused.delete(this.assigned(tp, 'resume'));
    if (tps.length > 0) this.kafkajs('resume', (c) => c.resume(byTopic(tps)));
    this.wake(this.pollWaiters);
  }

  assignment(): { topic: string; partition: number }[] {
    return [...this.delivered.values()].map((tp) => ({ ...tp }));
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.wake(this.pollWaiters);
      this.wake(this.drainWaiters);
      const revoked = [...this.delivered.values()];
      this.delivered.clear();
      if (this.listener && revoked.length > 0) {
        try {
          // Still a member here, so the listener can commit what it has processed.
          await this.listener.onPartitionsRevoked(revoked);
        } catch (err) {
          this.logger.warn('Rebalance listener failed while closing the consumer', { err });
        }
      }
      try {
        await this.consumer?.disconnect();
      } catch (err) {
        this.logger.warn('Leaving the consumer group failed', { err });
      } finally {
        this.member = false;
        this.buffers.clear();
        this.target.clear();
        this.onClosed();
      }
    })();
    return this.closing;
  }

  /** Runs a synchronous kafkajs consumer call, mapping its errors (e.g. while kafkajs restarts). */
  private kafkajs(action: string, call: (consumer: Consumer) => void): void {
    try {
      call(this.consumer!);
    } catch (err) {
      throw toConnectError(err, `${action} in group ${this.groupId}`, { groupId: this.groupId });
    }
  }

  private assigned(tp: { topic: string; partition: number }, action: string): string {
    const key = keyOf(tp.topic, tp.partition);
    if (!this.delivered.has(key)) {
      throw new IllegalStateError(`Cannot ${action} ${tp.topic}-${tp.partition}: not assigned to this member of group ${this.groupId}`, {
        context: { topic: tp.topic, partition: tp.partition },
      });
    }
    return key;
  }

  /** kafkajs GROUP_JOIN: the new assignment is in force; the listener hears of it in the next `poll`. */
  private onJoin(memberAssignment: Record<string, number[]>): void {
    const next = new Map<string, TP>();
    for (const [topic, partitions] of Object.entries(memberAssignment)) {
      for (const partition of partitions) next.set(keyOf(topic, partition), { topic, partition });
    }
    this.applyAssignment(next);
    this.member = true;
    try {
      for (const [key, tp] of next) {
        const offset = this.nextOffsets.get(key);
        if (offset !== undefined) this.consumer?.seek({ ...tp, offset: String(offset) });
      }
      const paused = [...this.paused].map((key) => next.get(key)).filter((tp): tp is TP => tp !== undefined);
      if (paused.length > 0) this.consumer?.pause(byTopic(paused));
    } catch (err) {
      this.logger.warn('Restoring positions after a rebalance failed; kafkajs resumes from committed offsets', { err });
    }
    this.wake(this.pollWaiters);
  }

  /** kafkajs CRASH: it has left the group; with `restart` it rejoins as a new member (another GROUP_JOIN). */
  private onCrash(error: unknown, restart: boolean): void {
    this.member = false;
    this.applyAssignment(new Map());
    if (!restart) this.failure = error;
    else this.logger.warn('Kafka consumer crashed; kafkajs restarts it', { err: error });
    this.wake(this.pollWaiters);
  }

  /** Makes `next` the target assignment, dropping buffered records and positions of partitions lost. */
  private applyAssignment(next: Map<string, TP>): void {
    for (const key of this.target.keys()) {
      if (next.has(key)) continue;
      this.buffers.delete(key);
      this.nextOffsets.delete(key);
      this.paused.delete(key);
    }
    this.target = next;
  }

  private async onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const key = keyOf(batch.topic, batch.partition);
    if (this.closing || isStale() || !this.target.has(key)) return;
    const from = this.nextOffsets.get(key);
    const fresh: LogRecord[] = [];
    for (const message of batch.messages) {
      // A rejoin before our seek back lands can make kafkajs re-read from the committed offset.
      if (from !== undefined && Number(message.offset) < from) continue;
      fresh.push(toLogRecord(batch.topic, batch.partition, message));
    }
    if (fresh.length > 0) {
      const buffer = this.buffers.get(key);
      if (buffer) buffer.push(...fresh);
      else this.buffers.set(key, fresh);
      this.nextOffsets.set(key, fresh[fresh.length - 1]!.offset + 1);
      this.wake(this.pollWaiters);
    }
    resolveOffset(batch.lastOffset());
    const heartbeatMs = this.options.heartbeatIntervalMs ?? 3_000;
    while (!this.closing && isRunning() && !isStale() && this.unpausedBuffered() >= this.maxBuffered) {
      await this.waitForDrain(heartbeatMs);
      // Throws when the group is rebalancing: kafkajs then rejoins, as it would between batches.
      await heartbeat();
    }
  }

  private async deliverRebalance(): Promise<void> {
    const listener = this.listener;
    if (!listener) return;
    const revoked = [...this.delivered].filter(([key]) => !this.target.has(key));
    if (revoked.length > 0) {
      for (const [key] of revoked) this.delivered.delete(key);
      await listener.onPartitionsRevoked(revoked.map(([, tp]) => ({ ...tp })));
    }
    const assigned = [...this.target].filter(([key]) => !this.delivered.has(key));
    if (assigned.length > 0) {
      for (const [key, tp] of assigned) this.delivered.set(key, tp);
      await listener.onPartitionsAssigned(assigned.map(([, tp]) => ({ ...tp })));
    }
  }

  /** Up to `max` records, a partition at a time in rotating order, from delivered unpaused partitions. */
  private take(max: number): LogRecord[] {
    const out: LogRecord[] = [];
    const keys = [...this.buffers.keys()].filter((key) => this.delivered.has(key) && !this.paused.has(key));
    if (keys.length === 0) return out;
    this.rotation = (this.rotation + 1) % keys.length;
    for (let i = 0; i < keys.length && out.length < max; i++) {
      const key = keys[(this.rotation + i) % keys.length]!;
      const buffer = this.buffers.get(key)!;
      const taken = buffer.splice(0, max - out.length);
      out.push(...taken);
      if (buffer.length === 0) this.buffers.delete(key);
    }
    if (this.unpausedBuffered() < this.maxBuffered) this.wake(this.drainWaiters);
    return out;
  }

  private unpausedBuffered(): number {
    let count = 0;
    for (const [key, buffer] of this.buffers) if (!this.paused.has(key)) count += buffer.length;
    return count;
  }

  private waitForRecords(timeoutMs: number, signal: AbortSignal | undefined): Promise<void> {
    return this.waitOn(this.pollWaiters, timeoutMs, signal);
  }

  private waitForDrain(timeoutMs: number): Promise<void> {
    return this.waitOn(this.drainWaiters, timeoutMs, undefined);
  }

  private async waitOn(waiters: Set<() => void>, timeoutMs: number, signal: AbortSignal | undefined): Promise<void> {
    const timer = new AbortController();
    let wakeUp: () => void = () => undefined;
    const woken = new Promise<void>((resolve) => {
      wakeUp = resolve;
      waiters.add(resolve);
    });
    const abort = signal ? AbortSignal.any([signal, timer.signal]) : timer.signal;
    try {
      await Promise.race([woken, sleep(timeoutMs, undefined, { signal: abort }).catch(() => undefined)]);
    } finally {
      waiters.delete(wakeUp);
      timer.abort();
    }
  }

  private wake(waiters: Set<() => void>): void {
    for (const resolve of waiters) resolve();
    waiters.clear();
  }
}
