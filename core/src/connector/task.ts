import type { Logger } from '../logger.js';
import type { SinkRecord, SourceOffset, SourcePartition, SourceRecord, TopicPartition } from '../record/record.js';
import type { TaskConfig } from './connector.js';

/** Reads the last committed offsets of a source connector (any task of it). */
export interface OffsetStorageReader {
  offset(partition: SourcePartition): Promise<SourceOffset | null>;
  offsets(partitions: readonly SourcePartition[]): Promise<Map<SourcePartition, SourceOffset | null>>;
}

/**
 * Lets a source task define its own transaction boundaries (`transaction.boundary=connector`, with
 * exactly-once support enabled). Requests take effect once the batch the task returned last (or the
 * batch containing `record`) has been sent: the transaction is then committed or aborted.
 */
export interface TransactionContext {
  /** Commit the open transaction after the current batch (or the batch containing `record`). */
  commitTransaction(record?: SourceRecord): void;
  /** Abort it instead: its records are discarded; their source offsets still advance. */
  abortTransaction(record?: SourceRecord): void;
}

export interface SourceTaskContext {
  readonly connectorName: string;
  readonly taskId: number;
  readonly config: TaskConfig;
  readonly logger: Logger;
  readonly offsetStorageReader: OffsetStorageReader;
  /** Non-null only for exactly-once tasks with `transaction.boundary=connector`. */
  readonly transactionContext?: TransactionContext | null;
}

/** Where a record was written: passed to `commitRecord` after the log acknowledged it. */
export interface RecordMetadata {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
}

export interface SourceTask {
  /** Plugin version (defaults to the connector's). */
  version?(): string;
  initialize?(context: SourceTaskContext): void;
  start(config: TaskConfig): Promise<void> | void;
  /**
   * Returns the next batch, or null / [] when nothing is available right now. Should wait a bounded
   * time for data rather than spin, and must return promptly once `signal` aborts.
   * A thrown RetriableError is logged and the poll retried after a backoff.
   */
  poll(signal: AbortSignal): Promise<SourceRecord[] | null>;
  /**
   * Called after offsets up to the committed point are durable in the offsets store. Connectors that
   * acknowledge upstream (LSN, resume token) do so here and only here.
   */
  commit?(): Promise<void> | void;
  /** Called per record once the log acknowledged it; `metadata` is null when the record was filtered out. */
  commitRecord?(record: SourceRecord, metadata: RecordMetadata | null): Promise<void> | void;
  /** Stop and release resources. Called once; any in-flight poll has been aborted first. */
  stop(): Promise<void> | void;
}

/** Reports a record the sink task could not process; resolves once the report is durable (log or DLQ). */
export type ErrantRecordReporter = (record: SinkRecord, error: Error) => Promise<void>;

export interface SinkTaskContext {
  readonly connectorName: string;
  readonly taskId: number;
  readonly config: TaskConfig;
  readonly logger: Logger;
  /** Partitions currently assigned to this task. */
  assignment(): readonly TopicPartition[];
  /** Rewind (or skip) consumption of a partition to `offset` (the next offset to read). */
  offset(tp: TopicPartition, offset: number): void;
  pause(...tps: TopicPartition[]): void;
  resume(...tps: TopicPartition[]): void;
  /** Ask the runtime to commit offsets as soon as possible. */
  requestCommit(): void;
  /** Set a backoff before the next redelivery after a RetriableError from `put`. */
  timeout(ms: number): void;
  /** null when the connector's error handling has no reporter (errors.tolerance=none and no DLQ). */
  readonly errantRecordReporter: ErrantRecordReporter | null;
}

/** Offsets per partition: the next offset to consume, keyed by `tpKey`. */
export type SinkOffsets = Map<string, { tp: TopicPartition; offset: number }>;

export interface SinkTask {
  version?(): string;
  initialize?(context: SinkTaskContext): void;
  start(config: TaskConfig): Promise<void> | void;
  /** Partitions newly assigned to this task. */
  open?(partitions: readonly TopicPartition[]): Promise<void> | void;
  /**
   * Deliver a batch. May buffer; durability is promised only by `flush`/`preCommit`. A RetriableError
   * makes the runtime redeliver the same batch after a backoff; any other error fails the task.
   */
  put(records: readonly SinkRecord[]): Promise<void> | void;
  /** Make everything delivered so far durable. */
  flush?(offsets: SinkOffsets): Promise<void> | void;
  /**
   * Returns the offsets safe to commit (default: calls `flush` and returns `offsets`). Returning a
   * smaller offset or an empty map is allowed; never return more than given.
   */
  preCommit?(offsets: SinkOffsets): Promise<SinkOffsets> | SinkOffsets;
  /** Partitions revoked from this task; flush state for them. */
  close?(partitions: readonly TopicPartition[]): Promise<void> | void;
  stop(): Promise<void> | void;
}
