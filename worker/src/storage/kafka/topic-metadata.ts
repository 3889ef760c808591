import { setTimeout as sleep } from 'node:timers/promises';
import { NotFoundError, RetriableError } from '@sluice/core';
import { kafkaErrorType, toConnectError } from './kafka-errors.js';
import { ISOLATION_READ_COMMITTED } from './kafkajs-internals.js';
import type { InternalBroker, InternalCluster, MetadataResponse } from './kafkajs-internals.js';

/** What the log needs to know about a topic: partition count and each partition's leader. */
export interface TopicLayout {
  readonly topic: string;
  /** leader node id by partition index; -1 while a partition has no leader */
  readonly leaders: readonly number[];
  readonly loadedAt: number;
}

/** Errors after which fresh metadata (and a retry) can help. */
const STALE_METADATA = new Set([
  'NOT_LEADER_FOR_PARTITION',
  'NOT_LEADER_OR_FOLLOWER',
  'LEADER_NOT_AVAILABLE',
  'FENCED_LEADER_EPOCH',
  'UNKNOWN_LEADER_EPOCH',
  'UNKNOWN_TOPIC_OR_PARTITION',
  'REPLICA_NOT_AVAILABLE',
  'NOT_COORDINATOR',
  'NOT_COORDINATOR_FOR_GROUP',
  'COORDINATOR_NOT_AVAILABLE',
  'GROUP_COORDINATOR_NOT_AVAILABLE',
  'COORDINATOR_LOAD_IN_PROGRESS',
  'GROUP_LOAD_IN_PROGRESS',
]);
const TRANSIENT_NAMES = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSLockTimeout',
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSGroupCoordinatorNotFound',
]);

/** True for failures a bounded retry with fresh metadata may get past (moved leaders, broker restarts). */
export function isTransient(err: unknown): boolean {
  if (RetriableError.is(err)) return true;
  const type = kafkaErrorType(err);
  if (type !== undefined && STALE_METADATA.has(type)) return true;
  const name = (err as { name?: unknown } | null)?.name;
  return typeof name === 'string' && TRANSIENT_NAMES.has(name);
}

/**
 * Partition layout and offsets of topics, read through broker-level Metadata and ListOffsets requests
 * on the log's control cluster. Layouts are cached for `ttlMs` and dropped on any error that suggests
 * they are stale; a missing topic is never cached, so it is seen as soon as someone creates it.
 */
export class TopicMetadata {
  private readonly cache = new Map<string, TopicLayout>();

  constructor(
    private readonly cluster: InternalCluster,
    private readonly ttlMs = 30_000,
    private readonly attempts = 6,
  ) {}

  /** The topic's layout, or null when the topic does not exist. */
  async layout(topic: string, fresh = false): Promise<TopicLayout | null> {
    const cached = this.cache.get(topic);
    if (!fresh && cached && Date.now() - cached.loadedAt < this.ttlMs) return cached;
    return this.retrying(`Reading metadata of ${topic}`, { topic }, () => this.loadLayout(topic));
  }

  /** One Metadata round trip, no retries (callers that loop themselves use this). */
  async loadLayout(topic: string): Promise<TopicLayout | null> {
    let response: MetadataResponse;
    try {
      response = await this.metadata([topic]);
    } catch (err) {
      if (kafkaErrorType(err) !== 'UNKNOWN_TOPIC_OR_PARTITION') throw err;
      this.cache.delete(topic);
      return null;
    }
    const entry = response.topicMetadata.find((t) => t.topic === topic);
    if (!entry) {
      this.cache.delete(topic);
      return null;
    }
    const leaders: number[] = [];
    for (const p of entry.partitionMetadata) leaders[p.partitionId] = p.leader;
    const layout: TopicLayout = { topic, leaders: Array.from(leaders, (l) => l ?? -1), loadedAt: Date.now() };
    this.cache.set(topic, layout);
    return layout;
  }

  /** Partition count; NotFoundError when the topic does not exist. */
  async partitionCount(topic: string): Promise<number> {
    const layout = await this.layout(topic);
    if (!layout) throw new NotFoundError(`Topic ${topic} does not exist`, { context: { topic } });
    return layout.leaders.length;
  }

  /** The connected leader broker of a partition; NotFoundError for a missing topic or partition. */
  async leader(topic: string, partition: number): Promise<InternalBroker> {
    let layout = await this.layout(topic);
    if (layout && (layout.leaders[partition] ?? -1) < 0) layout = await this.layout(topic, true);
    if (!layout) throw new NotFoundError(`Topic ${topic} does not exist`, { context: { topic, partition } });
    if (!Number.isInteger(partition) || partition < 0 || partition >= layout.leaders.length) {
      throw new NotFoundError(`Topic ${topic} has no partition ${partition} (it has ${layout.leaders.length})`, {
        context: { topic, partition },
      });
    }
    const nodeId = layout.leaders[partition]!;
    if (nodeId < 0) throw new RetriableError(`Partition ${topic}-${partition} has no leader`, { context: { topic, partition } });
    return this.broker(nodeId, topic);
  }

  /**
   * A connected broker by node id. An unknown id refreshes the broker list through a Metadata request
   * for `topic` only: kafkajs's own refresh asks for every topic and fails if any one is unhealthy.
   */
  async broker(nodeId: number, topic?: string): Promise<InternalBroker> {
    try {
      return await this.cluster.findBroker({ nodeId });
    } catch (err) {
      if ((err as { name?: string }).name !== 'KafkaJSBrokerNotFound') throw err;
      await this.cluster.connect();
      await this.cluster.brokerPool.refreshMetadata(topic === undefined ? [] : [topic]);
      return this.cluster.findBroker({ nodeId });
    }
  }

  /** Any reachable broker (for requests every broker answers or forwards: admin, coordinator lookup). */
  async anyBroker(): Promise<InternalBroker> {
    await this.cluster.connect();
    return this.cluster.brokerPool.findConnectedBroker();
  }

  invalidate(topic?: string): void {
    if (topic === undefined) this.cache.clear();
    else this.cache.delete(topic);
  }

  /** Offsets of every partition at `timestamp` (-2 earliest, -1 latest, i.e. the last stable offset). */
  async listOffsets(topic: string, timestamp: -1 | -2): Promise<number[]> {
    return this.retrying(`Listing offsets of ${topic}`, { topic }, async () => {
      const layout = await this.loadLayout(topic);
      if (!layout) throw new NotFoundError(`Topic ${topic} does not exist`, { context: { topic } });
      const byLeader = new Map<number, number[]>();
      layout.leaders.forEach((leader, partition) => {
        if (leader < 0) throw new RetriableError(`Partition ${topic}-${partition} has no leader`, { context: { topic, partition } });
        byLeader.set(leader, [...(byLeader.get(leader) ?? []), partition]);
      });
      const offsets = new Array<number>(layout.leaders.length).fill(0);
      await Promise.all(
        [...byLeader].map(async ([nodeId, partitions]) => {
          const broker = await this.broker(nodeId, topic);
          const { responses } = await broker.listOffsets({
            replicaId: -1,
            isolationLevel: ISOLATION_READ_COMMITTED,
            topics: [{ topic, partitions: partitions.map((partition) => ({ partition, timestamp: String(timestamp) })) }],
          });
          for (const r of responses) for (const p of r.partitions) offsets[p.partition] = Number(p.offset);
        }),
      );
      return offsets;
    });
  }

  /** Metadata for `topics` from any reachable broker, without touching the cluster's target topics. */
  async metadata(topics: string[]): Promise<MetadataResponse> {
    return (await this.anyBroker()).metadata(topics);
  }

  /**
   * Runs `fn` up to `attempts` times while it fails with transient errors, refreshing metadata between
   * tries (backoff 100 ms doubling to 1 s); then maps the last error onto the core error classes.
   */
  async retrying<T>(action: string, context: Record<string, unknown>, fn: () => Promise<T>, attempts = this.attempts): Promise<T> {
    let delayMs = 100;
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (!isTransient(err) || attempt >= attempts) throw toConnectError(err, action, context);
        const topic = context['topic'];
        this.invalidate(typeof topic === 'string' ? topic : undefined);
        await sleep(delayMs);
        delayMs = Math.min(delayMs * 2, 1000);
      }
    }
  }
}
