/**
 * The `Log` port: everything the worker needs from a partitioned, replicated log. Standalone mode
 * implements it with an embedded SQLite store (`storage/embedded/`), distributed mode with Apache
 * Kafka through kafkajs (`storage/kafka/`). The worker, the internal stores and every connector run
 * unchanged on either.
 *
 * Offsets are JS numbers (safe up to 2^53, far beyond any realistic log).
 */

export interface LogHeader {
  readonly key: string;
  readonly value: Buffer | null;
}

/** A record to append. `partition` undefined → chosen from the key (murmur2, as Kafka's default partitioner), round-robin for null keys. */
export interface ProduceRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: readonly LogHeader[];
  /** epoch ms; defaults to now */
  readonly timestamp?: number;
  readonly partition?: number;
}

/** A record read back from the log. */
export interface LogRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly LogHeader[];
  readonly timestamp: number;
}

/** Where one produced record landed. */
export interface ProduceAck {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
}

export type CleanupPolicy = 'delete' | 'compact' | 'compact,delete';

export interface TopicSpec {
  readonly name: string;
  /** -1 = backend default */
  readonly partitions: number;
  /** -1 = backend default; ignored by the embedded log */
  readonly replicationFactor?: number;
  /** topic-level configs, Kafka names (`cleanup.policy`, `retention.ms`, `retention.bytes`, …) */
  readonly configs?: Readonly<Record<string, string>>;
}

export interface TopicDescription {
  readonly name: string;
  readonly partitions: number;
  readonly configs: Readonly<Record<string, string>>;
}

export interface TopicPartitionOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

export interface FetchOptions {
  /** at most this many records (default 500) */
  readonly maxRecords?: number;
  /** wait up to this long for at least one record when none is available (default 0) */
  readonly maxWaitMs?: number;
  readonly signal?: AbortSignal;
}

/** Callbacks a group consumer calls inside `poll()`, as Kafka's ConsumerRebalanceListener. */
export interface RebalanceListener {
  onPartitionsAssigned(partitions: readonly { topic: string; partition: number }[]): Promise<void> | void;
  onPartitionsRevoked(partitions: readonly { topic: string; partition: number }[]): Promise<void> | void;
}

export interface Subscription {
  readonly topics?: readonly string[];
  readonly topicsRegex?: RegExp;
}

/**
 * A member of a consumer group (sink tasks). Partitions of the subscribed topics are shared among the
 * group's live members; assignment changes are delivered through the listener during `poll()`.
 * Positions start at the group's committed offset, else at the earliest offset.
 */
export interface GroupConsumer {
  subscribe(subscription: Subscription, listener: RebalanceListener): Promise<void>;
  /** Returns the next records across assigned, unpaused partitions; waits up to `maxWaitMs` when idle. */
  poll(options?: FetchOptions): Promise<LogRecord[]>;
  /** Commits the given next-offsets-to-read for the group. */
  commit(offsets: readonly TopicPartitionOffset[]): Promise<void>;
  /** Moves the position of an assigned partition (next offset to read). */
  seek(tp: { topic: string; partition: number }, offset: number): void;
  pause(tps: readonly { topic: string; partition: number }[]): void;
  resume(tps: readonly { topic: string; partition: number }[]): void;
  assignment(): { topic: string; partition: number }[];
  /** Leaves the group (revoking partitions through the listener first). Idempotent. */
  close(): Promise<void>;
}

/** One open transaction of a transactional producer (exactly-once source support). */
export interface LogTransaction {
  /** Appends records inside the transaction; acks carry offsets that become visible only on commit. */
  produce(topic: string, records: readonly ProduceRecord[]): Promise<ProduceAck[]>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/**
 * A producer with a `transactional.id`. Creating it fences every earlier producer with the same id
 * (their open transactions are aborted, their later writes rejected), which is how zombie tasks are
 * fenced. Readers of the log read committed data only.
 */
export interface TransactionalProducer {
  readonly transactionalId: string;
  begin(): Promise<LogTransaction>;
  close(): Promise<void>;
}

export interface Log {
  /** Creates a topic; resolves false if it already existed (not an error). */
  createTopic(spec: TopicSpec): Promise<boolean>;
  /** null when the topic does not exist */
  describeTopic(name: string): Promise<TopicDescription | null>;
  listTopics(): Promise<string[]>;
  deleteTopic(name: string): Promise<void>;
  /**
   * Appends records to a topic (auto-creating it with defaults is the caller's job, not this port's:
   * producing to a missing topic rejects with NotFoundError). Resolves once every record is durable,
   * with one ack per record, in input order.
   */
  produce(topic: string, records: readonly ProduceRecord[]): Promise<ProduceAck[]>;
  /** Reads a partition from `offset` (inclusive). */
  fetch(topic: string, partition: number, offset: number, options?: FetchOptions): Promise<LogRecord[]>;
  /** First available offset of every partition of a topic, by partition index. */
  startOffsets(topic: string): Promise<number[]>;
  /** Next offset to be written (high watermark) of every partition, by partition index. */
  endOffsets(topic: string): Promise<number[]>;
  /** Consumer group offsets (next offset to read) for a group, optionally limited to topics. */
  fetchGroupOffsets(groupId: string, topics?: readonly string[]): Promise<TopicPartitionOffset[]>;
  commitGroupOffsets(groupId: string, offsets: readonly TopicPartitionOffset[]): Promise<void>;
  /** Deletes a group's committed offsets (all, or only those for the given partitions). */
  deleteGroupOffsets(groupId: string, partitions?: readonly { topic: string; partition: number }[]): Promise<void>;
  /**
   * Creates (and initializes, fencing older instances) a transactional producer; absent when the
   * backend has no transactions (the embedded log: exactly-once source needs distributed mode).
   */
  transactionalProducer?(transactionalId: string): Promise<TransactionalProducer>;
  /** Creates a new member of consumer group `groupId`. */
  groupConsumer(groupId: string, options?: { clientId?: string }): GroupConsumer;
  /** Releases resources (file handles, connections, locks). Idempotent. */
  close(): Promise<void>;
}
