import { setTimeout as sleep } from 'node:timers/promises';
import type { FetchOptions, LogRecord } from '../../log/log.js';
import { kafkaErrorType, toConnectError } from './kafka-errors.js';
import { toLogRecord } from './kafka-records.js';
import {
  ISOLATION_READ_COMMITTED,
  apiKeys,
  createCluster,
  createFetchedBatch,
  fetchRequestDefinition,
} from './kafkajs-internals.js';
import type { ConnectionSettings, FetchPartitionResponse, FetchedMessage, InternalBroker, InternalCluster } from './kafkajs-internals.js';
import { isTransient } from './topic-metadata.js';
import type { TopicMetadata } from './topic-metadata.js';

/** Tuning of {@link PartitionReader}. */
export interface PartitionReaderOptions {
  /** upper bound of one partition's data in a Fetch response (default 1 MiB; one larger record still comes whole) */
  readonly maxPartitionBytes?: number;
  /** per-request timeout on top of the long-poll wait */
  readonly requestTimeoutMs: number;
  /** fetch connections kept open, one per recently read topic (default 8) */
  readonly maxConnections?: number;
}

const DEFAULT_MAX_RECORDS = 500;
const ATTEMPTS = 6;
const MAX_LEFTOVERS = 16;
const LEFTOVER_TTL_MS = 10_000;

/**
 * Random-access reads of one partition at a time (the port's `fetch`), which kafkajs's consumer cannot
 * do: it only reads through a consumer group and has no `assign`/`seek` without one.
 *
 * Approach: the same broker-level Fetch request kafkajs's consumer sends, issued by us on a kafkajs
 * `Cluster` to the partition leader (from our own metadata), decoded and filtered by kafkajs's own
 * `Batch` (records before the requested offset, control records and aborted transactions removed; we
 * read `read_committed`, matching `endOffsets`, which reports the last stable offset). No group, no
 * coordinator and no committed state are involved, so any number of readers may read any partition
 * from any offset, which is what the internal stores need (read every partition from the start to the
 * end offsets, then tail).
 *
 * Why a connection per topic: a broker answers the requests of one connection in order, so a Fetch
 * long-polling for `maxWaitMs` would hold up every request queued behind it. Readers of different
 * topics (the config, offsets and status stores each tail their own) therefore get their own
 * connections, and none is shared with the producer, the consumers or metadata/offset requests.
 *
 * Compacted or transactional holes: when a response holds records but none survives the filtering (a
 * compacted-away range, control records, an aborted transaction), the reader moves past them and
 * fetches again rather than returning an empty batch that a caller would read as "caught up".
 */
export class PartitionReader {
  private readonly clusters = new Map<string, InternalCluster>();
  /**
   * Records a response held beyond `maxRecords`, per partition: a sequential reader's next call
   * (at exactly `next`) is served from here instead of fetching and decoding the same bytes again.
   */
  private readonly leftovers = new Map<string, { next: number; records: LogRecord[]; at: number }>();
  private readonly maxPartitionBytes: number;
  private readonly maxConnections: number;
  private closed = false;

  constructor(
    private readonly settings: ConnectionSettings,
    private readonly metadata: TopicMetadata,
    private readonly options: PartitionReaderOptions,
  ) {
    this.maxPartitionBytes = options.maxPartitionBytes ?? 1024 * 1024;
    this.maxConnections = options.maxConnections ?? 8;
  }

  /** Records of `topic`/`partition` from `offset` on; [] when none arrive within `maxWaitMs` or on abort. */
  async fetch(topic: string, partition: number, offset: number, options: FetchOptions = {}): Promise<LogRecord[]> {
    const maxRecords = Math.max(1, options.maxRecords ?? DEFAULT_MAX_RECORDS);
    const signal = options.signal;
    const deadline = Date.now() + Math.max(0, options.maxWaitMs ?? 0);
    let position = Math.max(0, offset);
    const cached = this.takeLeftover(topic, partition, position, maxRecords);
    if (cached) return cached;
    let failures = 0;
    let delayMs = 100;
    while (!this.closed && !signal?.aborted) {
      try {
        const broker = await this.metadata.leader(topic, partition);
        const waitMs = Math.max(0, deadline - Date.now());
        const data = await abortable(this.fetchOnce(topic, broker, partition, position, waitMs), signal);
        if (data === undefined) return [];
        const batch = createFetchedBatch(topic, position, data);
        if (batch.messages.length > 0) {
          const records = batch.messages.map((m) => toLogRecord(topic, partition, m));
          const returned = records.slice(0, maxRecords);
          if (records.length > maxRecords) this.keepLeftover(topic, partition, returned[returned.length - 1]!.offset + 1, records.slice(maxRecords));
          return returned;
        }
        const next = offsetAfter(batch.rawMessages);
        if (next > position) {
          position = next;
          continue;
        }
        if (Date.now() >= deadline) return [];
      } catch (err) {
        if (kafkaErrorType(err) === 'OFFSET_OUT_OF_RANGE') {
          // Below the log start (retention or compaction deleted it): continue from the first record
          // still there, as a consumer with auto.offset.reset=earliest would. At or past the end: nothing yet.
          const [start, end] = await Promise.all([this.metadata.listOffsets(topic, -2), this.metadata.listOffsets(topic, -1)]);
          const first = start[partition] ?? 0;
          if (position < first) {
            position = first;
            continue;
          }
          if (position >= (end[partition] ?? 0)) {
            if (Date.now() >= deadline) return [];
            await sleep(Math.min(100, deadline - Date.now()), undefined, { signal }).catch(() => undefined);
            continue;
          }
        }
        failures++;
        if (!isTransient(err) || failures >= ATTEMPTS) {
          throw toConnectError(err, `Fetching ${topic}-${partition} at offset ${position}`, { topic, partition, offset: position });
        }
        this.metadata.invalidate(topic);
        await sleep(delayMs, undefined, { signal }).catch(() => undefined);
        delayMs = Math.min(delayMs * 2, 1000);
      }
    }
    return [];
  }

  private takeLeftover(topic: string, partition: number, offset: number, maxRecords: number): LogRecord[] | null {
    const key = `${topic}\u0000${partition}`;
    const entry = this.leftovers.get(key);
    if (!entry) return null;
    if (entry.next !== offset || Date.now() - entry.at > LEFTOVER_TTL_MS) {
      this.leftovers.delete(key);
      return null;
    }
    const records = entry.records.splice(0, maxRecords);
    if (entry.records.length === 0) this.leftovers.delete(key);
    else entry.next = records[records.length - 1]!.offset + 1;
    return records;
  }

  /** `next`: the offset the reader's next call will ask for (one past what it was just given). */
  private keepLeftover(topic: string, partition: number, next: number, records: LogRecord[]): void {
    const key = `${topic}\u0000${partition}`;
    this.leftovers.delete(key);
    this.leftovers.set(key, { next, records, at: Date.now() });
    while (this.leftovers.size > MAX_LEFTOVERS) this.leftovers.delete(this.leftovers.keys().next().value as string);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.leftovers.clear();
    const clusters = [...this.clusters.values()];
    this.clusters.clear();
    await Promise.all(clusters.map((c) => c.disconnect().catch(() => undefined)));
  }

  private async fetchOnce(
    topic: string,
    leader: InternalBroker,
    partition: number,
    offset: number,
    waitMs: number,
  ): Promise<FetchPartitionResponse> {
    // The leader came from the metadata cluster; fetch through this topic's own cluster's broker object.
    const broker = await this.brokerFor(topic, leader.nodeId);
    const protocol = broker.lookupRequest(apiKeys['Fetch']!, fetchRequestDefinition)({
      replicaId: -1,
      isolationLevel: ISOLATION_READ_COMMITTED,
      maxWaitTime: waitMs,
      minBytes: 1,
      maxBytes: this.maxPartitionBytes,
      topics: [{ topic, partitions: [{ partition, fetchOffset: String(offset), maxBytes: this.maxPartitionBytes }] }],
      rackId: '',
    });
    // kafkajs derives a Fetch's timeout from maxWaitTime alone (+100 ms), far too tight for maxWaitMs=0
    // on a loaded machine; allow the normal request timeout on top of the long-poll.
    protocol.requestTimeout = waitMs + this.options.requestTimeoutMs;
    let response: { responses: { topicName: string; partitions: FetchPartitionResponse[] }[] };
    try {
      response = (await broker.connectionPool.send(protocol)) as typeof response;
    } catch (err) {
      if ((err as { name?: string }).name === 'KafkaJSConnectionClosedError') await broker.disconnect().catch(() => undefined);
      throw err;
    }
    const data = response.responses.find((r) => r.topicName === topic)?.partitions.find((p) => p.partition === partition);
    if (!data) throw Object.assign(new Error(`Fetch response lacks ${topic}-${partition}`), { name: 'KafkaJSBrokerNotFound' });
    return data;
  }

  private async brokerFor(topic: string, nodeId: number): Promise<InternalBroker> {
    let cluster = this.clusters.get(topic);
    if (cluster) {
      // Refresh LRU order.
      this.clusters.delete(topic);
      this.clusters.set(topic, cluster);
    } else {
      cluster = createCluster(this.settings, { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 });
      this.clusters.set(topic, cluster);
      while (this.clusters.size > this.maxConnections) {
        const [oldest, victim] = this.clusters.entries().next().value as [string, InternalCluster];
        this.clusters.delete(oldest);
        void victim.disconnect().catch(() => undefined);
      }
      await cluster.connect();
    }
    try {
      return await cluster.findBroker({ nodeId });
    } catch (err) {
      if ((err as { name?: string }).name !== 'KafkaJSBrokerNotFound') throw err;
      // Only this topic: kafkajs's own refresh asks for every topic and fails if any one is unhealthy.
      await cluster.brokerPool.refreshMetadata([topic]);
      return cluster.findBroker({ nodeId });
    }
  }
}

/**
 * The offset after the last record batch of a response, counting records that compaction removed
 * from inside a batch (its header still spans them); 0 for an empty response.
 */
function offsetAfter(messages: readonly FetchedMessage[]): number {
  let next = 0;
  for (const m of messages) {
    next = Math.max(next, Number(m.offset) + 1);
    if (m.batchContext) next = Math.max(next, Number(m.batchContext.firstOffset) + m.batchContext.lastOffsetDelta + 1);
  }
  return next;
}

/** Resolves undefined as soon as `signal` aborts; the underlying request is left to finish on its own. */
async function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T | undefined> {
  if (!signal) return promise;
  if (signal.aborted) {
    promise.catch(() => undefined);
    return undefined;
  }
  let onAbort: () => void = () => undefined;
  const aborted = new Promise<undefined>((resolve) => {
    onAbort = () => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([promise, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
    promise.catch(() => undefined);
  }
}
