import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Logger } from '@sluice/core';
import { DataError, noopLogger } from '@sluice/core';
import type {
  FetchOptions,
  Log,
  LogRecord,
  ProduceAck,
  ProduceRecord,
  TopicDescription,
  TopicPartitionOffset,
  TopicSpec,
} from '../../log/log.js';
import { ChangeNotifier } from './change-notifier.js';
import { DataDirLock } from './data-dir-lock.js';
import { EmbeddedGroupConsumer } from './embedded-group-consumer.js';
import { GroupCoordinator } from './group-coordinator.js';
import type { SyncMode } from './log-database.js';
import { DATABASE_FILE } from './log-database.js';
import { LogStore } from './log-store.js';
import type { TopicState } from './log-store.js';

export type { SyncMode } from './log-database.js';

/** Options of `EmbeddedLog.open`. */
export interface EmbeddedLogOptions {
  /** Directory holding `log.db` and the `LOCK` file; created if missing. One process owns it at a time. */
  readonly dataDir: string;
  /**
   * Durability of an acknowledged `produce` (default `full`):
   * - `full`: the WAL is fsynced at every commit — acknowledged records survive process crashes
   *   (`kill -9`), OS crashes and power loss.
   * - `normal`: commits are written to the OS but fsynced only at checkpoints — acknowledged records
   *   survive a process crash (`kill -9`) but the newest may be lost on power loss or an OS crash.
   */
  readonly sync?: SyncMode;
  readonly logger?: Logger;
  /** How often compacted topics are compacted in the background (default 60000; 0 = only on `compact()`). */
  readonly compactionIntervalMs?: number;
  /** How often `retention.ms`/`retention.bytes` are applied (default 300000, Kafka's; 0 = only on `enforceRetention()`). */
  readonly retentionCheckIntervalMs?: number;
}

const DEFAULT_MAX_RECORDS = 500;
const DEFAULT_PARTITIONS = 1;

/**
 * The `Log` port on local disk for standalone mode: one SQLite database (`<dataDir>/log.db`, WAL
 * mode) holding topics, records, per-partition high watermarks and consumer group offsets.
 *
 * - `produce` writes each call in one transaction and resolves after it committed (durability per
 *   `sync`). The SQLite calls are synchronous, so a large batch blocks the event loop while it is
 *   written; callers batch for throughput and keep batches bounded for latency.
 * - `fetch` long-polls on in-process append notifications; nothing polls the database.
 * - Compaction (`cleanup.policy` containing `compact`) and retention (`delete`) run on timers and on
 *   demand; they only delete rows, so offsets never change and are never reused.
 * - Consumer groups are in-process (see `GroupCoordinator`): members must live in this process.
 *
 * Not shareable between processes: `open` locks the directory (see `DataDirLock`).
 */
export class EmbeddedLog implements Log {
  private readonly notifier = new ChangeNotifier();
  private readonly coordinator: GroupCoordinator;
  private readonly timers: NodeJS.Timeout[] = [];
  /** per partition: the next offset at the last compaction, and whether tombstones were left behind */
  private readonly compacted = new Map<string, { end: number; timeDependent: boolean }>();
  private readonly cleaning = new Set<Promise<number>>();
  private closing: Promise<void> | null = null;

  private constructor(
    private readonly store: LogStore,
    private readonly lock: DataDirLock,
    private readonly logger: Logger,
    readonly dataDir: string,
  ) {
    this.coordinator = new GroupCoordinator(
      () => (store.closed ? [] : store.topicNames().map((name) => ({ name, partitions: store.requireTopic(name).partitions }))),
      this.notifier,
    );
  }

  /**
   * Opens (creating if needed) the log in `options.dataDir`. Rejects with an IllegalStateError naming
   * the directory and pid when a live process owns the directory; takes over a stale lock with a
   * warning. The caller must `close()` the log to release the directory.
   */
  static async open(options: EmbeddedLogOptions): Promise<EmbeddedLog> {
    const logger = options.logger ?? noopLogger;
    const dataDir = resolve(options.dataDir);
    mkdirSync(dataDir, { recursive: true });
    const lock = DataDirLock.acquire(dataDir, logger);
    let store: LogStore;
    try {
      store = LogStore.open(join(dataDir, DATABASE_FILE), options.sync ?? 'full');
    } catch (err) {
      lock.release();
      throw err;
    }
    const log = new EmbeddedLog(store, lock, logger, dataDir);
    log.schedule(options.compactionIntervalMs ?? 60_000, () => log.compact(), 'compaction');
    log.schedule(options.retentionCheckIntervalMs ?? 300_000, () => log.enforceRetention(), 'retention');
    logger.info('Embedded log opened', { dataDir, sync: options.sync ?? 'full', topics: store.topicNames().length });
    return log;
  }

  async createTopic(spec: TopicSpec): Promise<boolean> {
    const partitions = spec.partitions === -1 ? DEFAULT_PARTITIONS : spec.partitions;
    const created = this.store.createTopic(spec.name, partitions, spec.configs);
    if (created) this.coordinator.topicsChanged();
    return created;
  }

  async describeTopic(name: string): Promise<TopicDescription | null> {
    const topic = this.store.topic(name);
    return topic ? { name, partitions: topic.partitions, configs: { ...topic.configs } } : null;
  }

  async listTopics(): Promise<string[]> {
    return this.store.topicNames();
  }

  /** Deletes a topic with its records and group offsets; rejects with NotFoundError when missing. */
  async deleteTopic(name: string): Promise<void> {
    const topic = this.store.requireTopic(name);
    this.store.deleteTopic(name);
    for (let p = 0; p < topic.partitions; p++) this.compacted.delete(`${topic.id}:${p}`);
    // Waiting fetches wake up and find the topic gone (NotFoundError).
    this.notifier.notify(...Array.from({ length: topic.partitions }, (_, p) => ChangeNotifier.partitionKey(name, p)));
    this.coordinator.topicsChanged();
  }

  async produce(topic: string, records: readonly ProduceRecord[]): Promise<ProduceAck[]> {
    const acks = this.store.append(topic, records, Date.now());
    const touched = new Set(acks.map((a) => a.partition));
    this.notifier.notify(...[...touched].map((p) => ChangeNotifier.partitionKey(topic, p)));
    return acks;
  }

  /**
   * Reads up to `maxRecords` (default 500) records with offset >= `offset`, ascending, skipping
   * compacted holes. When none is available and `maxWaitMs > 0`, waits for an append, the timeout,
   * `signal` or `close()`, whichever comes first, and resolves with what is then available (possibly
   * nothing). Rejects with NotFoundError for a missing topic, DataError for a bad partition or offset.
   */
  async fetch(topic: string, partition: number, offset: number, options: FetchOptions = {}): Promise<LogRecord[]> {
    const maxRecords = options.maxRecords ?? DEFAULT_MAX_RECORDS;
    if (!Number.isInteger(maxRecords) || maxRecords < 1) throw new DataError(`maxRecords must be a positive integer, got ${maxRecords}`);
    if (!Number.isSafeInteger(offset) || offset < 0) {
      throw new DataError(`Fetch offset must be a non-negative integer, got ${offset}`, { context: { topic, partition } });
    }
    const deadline = Date.now() + Math.max(0, options.maxWaitMs ?? 0);
    for (;;) {
      // No `await` between this read and registering the waiter: an append cannot slip in between.
      const records = this.store.read(topic, partition, offset, maxRecords);
      const remainingMs = deadline - Date.now();
      if (records.length > 0 || remainingMs <= 0 || options.signal?.aborted) return records;
      await this.notifier.wait([ChangeNotifier.partitionKey(topic, partition)], remainingMs, options.signal);
      if (this.store.closed) return [];
    }
  }

  async startOffsets(topic: string): Promise<number[]> {
    const t = this.store.requireTopic(topic);
    return Array.from({ length: t.partitions }, (_, p) => this.store.startOffset(t, p));
  }

  async endOffsets(topic: string): Promise<number[]> {
    return [...this.store.requireTopic(topic).nextOffsets];
  }

  async fetchGroupOffsets(groupId: string, topics?: readonly string[]): Promise<TopicPartitionOffset[]> {
    const all = this.store.groupOffsets(groupId);
    return topics ? all.filter((o) => topics.includes(o.topic)) : all;
  }

  /**
   * Commits offsets for a group atomically, whether or not the group has live members (as Kafka's
   * admin API would refuse for an active group, callers reset offsets only for stopped connectors).
   */
  async commitGroupOffsets(groupId: string, offsets: readonly TopicPartitionOffset[]): Promise<void> {
    this.store.commitGroupOffsets(groupId, offsets, Date.now());
  }

  async deleteGroupOffsets(groupId: string, partitions?: readonly { topic: string; partition: number }[]): Promise<void> {
    this.store.deleteGroupOffsets(groupId, partitions);
  }

  /** A new member of in-process consumer group `groupId` (member id `<clientId>-<n>`; clientId defaults to `consumer`). */
  groupConsumer(groupId: string, options: { clientId?: string } = {}): EmbeddedGroupConsumer {
    const store = this.store;
    return new EmbeddedGroupConsumer(
      { store, coordinator: this.coordinator, notifier: this.notifier, logger: this.logger, isClosed: () => store.closed },
      groupId,
      options.clientId ?? 'consumer',
    );
  }

  /**
   * Compacts every compacted topic, or only `topic` (NotFoundError when missing; a topic without
   * `compact` in its policy is left alone). Resolves with the number of records removed. Yields to the
   * event loop between partitions; partitions unchanged since their last clean are skipped unless
   * tombstones or `min.compaction.lag.ms` may have become due.
   */
  async compact(topic?: string): Promise<number> {
    const topics = topic === undefined ? this.store.topicNames() : [this.store.requireTopic(topic).name];
    return this.cleanEach(topics, (t, p) => {
      if (!t.settings.compact) return 0;
      const key = `${t.id}:${p}`;
      const end = t.nextOffsets[p] ?? 0;
      const last = this.compacted.get(key);
      if (topic === undefined && last && last.end === end && !last.timeDependent) return 0;
      const now = Date.now();
      const { removed, tombstones } = this.store.compactPartition(t, p, now);
      this.compacted.set(key, { end, timeDependent: tombstones > 0 || t.settings.minCompactionLagMs > 0 });
      return removed;
    });
  }

  /** Applies `retention.ms` and `retention.bytes` to every topic with `delete` in its policy. Resolves with the number of records removed. */
  async enforceRetention(): Promise<number> {
    return this.cleanEach(this.store.topicNames(), (t, p) => (t.settings.delete ? this.store.enforceRetention(t, p, Date.now()) : 0));
  }

  /**
   * Stops timers, wakes waiting fetches and polls (they resolve empty), closes the database and
   * releases the lock. Idempotent. Close group consumers first: their revocation callbacks usually
   * commit, which fails once the log is closed.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.notifier.close();
    // A background clean yields between partitions; let it notice the close instead of closing under it.
    await Promise.allSettled([...this.cleaning]);
    try {
      this.store.close();
    } catch (err) {
      this.logger.error('Closing the embedded log database failed', { dataDir: this.dataDir, err });
    } finally {
      this.lock.release();
    }
    this.logger.info('Embedded log closed', { dataDir: this.dataDir });
  }

  private async cleanEach(topics: readonly string[], clean: (topic: TopicState, partition: number) => number): Promise<number> {
    const run = (async () => {
      let removed = 0;
      for (const name of topics) {
        for (let p = 0; ; p++) {
          if (this.closing) return removed;
          const t = this.store.topic(name);
          if (!t || p >= t.partitions) break;
          removed += clean(t, p);
          await yieldToEventLoop();
        }
      }
      return removed;
    })();
    this.cleaning.add(run);
    return run.finally(() => this.cleaning.delete(run));
  }

  private schedule(intervalMs: number, task: () => Promise<number>, what: string): void {
    if (intervalMs <= 0) return;
    let running = false;
    const timer = setInterval(() => {
      if (running || this.closing) return;
      running = true;
      task()
        .then((removed) => {
          if (removed > 0) this.logger.debug(`Background ${what} removed records`, { removed });
        })
        .catch((err: unknown) => this.logger.warn(`Background ${what} failed; will retry`, { err }))
        .finally(() => {
          running = false;
        });
    }, intervalMs);
    timer.unref();
    this.timers.push(timer);
  }
}
