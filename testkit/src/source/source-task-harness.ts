import {
  ConnectError,
  IllegalStateError,
  RetriableError,
  type Logger,
  type RecordMetadata,
  type SourceOffset,
  type SourcePartition,
  type SourceRecord,
  type SourceTask,
  type SourceTaskContext,
  type TaskConfig,
} from '@sluice/core';
import { partitionKey } from '../internal/partition-key.js';
import { CapturingLogger } from '../logging/capturing-logger.js';
import { InMemoryOffsetStorageReader, type PartitionOffset } from './in-memory-offset-storage-reader.js';

/** How the harness builds a task: called once at start and once per `restart()`. */
export type SourceTaskFactory<T extends SourceTask = SourceTask> = () => T;

export interface SourceTaskHarnessOptions {
  /** The task config passed to `start` (and to the context). */
  readonly config: TaskConfig;
  /** Offsets already committed before the first start, as the offsets store would hold them. */
  readonly committedOffsets?: Iterable<PartitionOffset>;
  /** Defaults to `test-connector`. */
  readonly connectorName?: string;
  /** Defaults to 0. */
  readonly taskId?: number;
  /** Defaults to a fresh `CapturingLogger`, exposed as `harness.logger`. */
  readonly logger?: Logger;
  /**
   * Simulates an SMT dropping records: for records where this returns true, `commitRecord` gets
   * null metadata (as the runtime does for filtered records). Default: nothing is filtered.
   */
  readonly isFiltered?: (record: SourceRecord) => boolean;
  /** Pause between polls that returned nothing inside `pollUntil`, so a task that never waits cannot spin. Default 10. */
  readonly idleBackoffMs?: number;
}

export interface PollUntilOptions {
  /** Give up (and throw a `TIMEOUT` ConnectError) after this long. Default 10 000. */
  readonly timeoutMs?: number;
}

export interface RestartOptions {
  /**
   * true: commit offsets and stop the old task as the runtime does on a graceful shutdown.
   * false (default): simulate a crash—whatever was polled but not committed is forgotten.
   * Either way the old task's `stop()` runs so it releases files and sockets in-process.
   */
  readonly graceful?: boolean;
}

type HarnessState = 'new' | 'running' | 'stopped';

/**
 * Drives one `SourceTask` the way the worker does, minus the log: `initialize` → `start` →
 * `poll(signal)` → `commitRecord` per record (synthetic metadata) → `commitOffsets()` → `stop()`.
 *
 * Offsets become committable per record in poll order (the harness acknowledges every record at
 * once, as a log that never fails would); `commitOffsets()` snapshots the latest offset of each
 * source partition and then calls `task.commit()`. `restart()` builds a new task from the factory
 * seeded with the committed offsets only, which is how a crash looks to a connector.
 *
 * Not thread-safe in the sense of overlapping calls: `poll`, `pollUntil` and `commitOffsets` must be
 * awaited one at a time, except `stop()`, which may be called while a poll is in flight.
 */
export class SourceTaskHarness<T extends SourceTask = SourceTask> {
  /** Every record polled since the harness was created, across restarts, in poll order. */
  readonly records: SourceRecord[] = [];
  /** The logger given to the task (a `CapturingLogger` unless one was passed in). */
  readonly logger: Logger;

  private currentTask: T;
  private state: HarnessState = 'new';
  private controller = new AbortController();
  private inFlight: Promise<unknown> | null = null;
  private stopping: Promise<void> | null = null;
  private readonly committed = new Map<string, PartitionOffset>();
  /** acknowledged but not yet committed: latest offset per partition */
  private readonly pending = new Map<string, PartitionOffset>();
  private readonly nextLogOffset = new Map<string, number>();
  private generation = 0;

  constructor(
    private readonly factory: SourceTaskFactory<T>,
    private readonly options: SourceTaskHarnessOptions,
  ) {
    this.logger = options.logger ?? new CapturingLogger();
    for (const po of options.committedOffsets ?? []) this.committed.set(partitionKey(po.partition), po);
    this.currentTask = factory();
  }

  /** Creates a harness and starts its task. */
  static async start<T extends SourceTask>(
    factory: SourceTaskFactory<T>,
    options: SourceTaskHarnessOptions,
  ): Promise<SourceTaskHarness<T>> {
    const harness = new SourceTaskHarness(factory, options);
    await harness.start();
    return harness;
  }

  /** The task instance currently driven (a new one after each `restart()`). */
  get task(): T {
    return this.currentTask;
  }

  /** The logger as a `CapturingLogger`; throws when the caller supplied a different logger. */
  get capturedLogs(): CapturingLogger {
    if (this.logger instanceof CapturingLogger) return this.logger;
    throw new IllegalStateError('capturedLogs is only available when the harness created its own logger');
  }

  /** Calls `initialize` with a fresh context (offsets reader seeded from committed offsets) and `start`. */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new IllegalStateError(`cannot start a harness that is ${this.state}`);
    const context: SourceTaskContext = {
      connectorName: this.options.connectorName ?? 'test-connector',
      taskId: this.options.taskId ?? 0,
      config: this.options.config,
      logger: this.logger.child({ generation: this.generation }),
      offsetStorageReader: new InMemoryOffsetStorageReader(this.committed.values()),
    };
    this.currentTask.initialize?.(context);
    this.state = 'running';
    await this.currentTask.start(this.options.config);
  }

  /**
   * One `poll`. Collects the returned records (appending them to `records`), calls `commitRecord`
   * for each in order, and returns them. A `null` result is returned as `[]`. Errors from the task
   * propagate unchanged.
   */
  async poll(signal?: AbortSignal): Promise<SourceRecord[]> {
    this.assertRunning('poll');
    const pollSignal =
      signal === undefined ? this.controller.signal : AbortSignal.any([this.controller.signal, signal]);
    const call = this.currentTask.poll(pollSignal);
    this.inFlight = call;
    let batch: SourceRecord[] | null;
    try {
      batch = await call;
    } finally {
      if (this.inFlight === call) this.inFlight = null;
    }
    // a batch that arrives after stop() is dropped, as the runtime drops it
    if (batch === null || batch.length === 0 || this.state !== 'running') return [];
    if (!Array.isArray(batch)) throw new IllegalStateError('poll() must return an array of records or null');
    for (const record of batch) await this.acknowledge(record);
    return batch;
  }

  /**
   * Polls until `predicate(collected)` holds, where `collected` are the records polled by this call
   * (in order). Returns them. A RetriableError from `poll` is logged and retried, as the runtime does.
   * On timeout the in-flight poll is aborted and a ConnectError with code `TIMEOUT` is thrown; the
   * records polled so far stay in `records`.
   */
  async pollUntil(
    predicate: (collected: readonly SourceRecord[]) => boolean,
    options: PollUntilOptions = {},
  ): Promise<SourceRecord[]> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    const idleBackoffMs = this.options.idleBackoffMs ?? 10;
    const deadline = Date.now() + timeoutMs;
    const collected: SourceRecord[] = [];
    let timedOut = false;
    while (!predicate(collected)) {
      const remainingMs = deadline - Date.now();
      if (timedOut || remainingMs <= 0) {
        throw new ConnectError(
          `pollUntil timed out after ${timeoutMs} ms with ${collected.length} record(s) collected`,
          { context: { collected: collected.length } },
          'TIMEOUT',
        );
      }
      const timeout = AbortSignal.timeout(remainingMs);
      let batch: SourceRecord[];
      try {
        batch = await this.poll(timeout);
      } catch (err) {
        // a task may reject with an AbortError when our deadline aborts its poll
        if (timeout.aborted) {
          timedOut = true;
          continue;
        }
        if (!RetriableError.is(err)) throw err;
        this.logger.warn('poll failed with a retriable error; retrying', { error: err.message });
        await delay(idleBackoffMs);
        continue;
      }
      collected.push(...batch);
      if (timeout.aborted) timedOut = true;
      else if (batch.length === 0) await delay(idleBackoffMs);
    }
    return collected;
  }

  /** Polls until at least `count` records were collected by this call; see `pollUntil`. */
  async pollRecords(count: number, options: PollUntilOptions = {}): Promise<SourceRecord[]> {
    return this.pollUntil((c) => c.length >= count, options);
  }

  /**
   * Commits the latest acknowledged offset of every source partition (what the offsets store would
   * now hold), then calls `task.commit()`. Returns the offsets written by this commit.
   */
  async commitOffsets(): Promise<PartitionOffset[]> {
    const flushed = [...this.pending.entries()];
    for (const [key, po] of flushed) this.committed.set(key, po);
    this.pending.clear();
    await this.currentTask.commit?.();
    return flushed.map(([, po]) => po);
  }

  /** Every committed partition with its offset, in first-commit order. */
  committedOffsets(): PartitionOffset[] {
    return [...this.committed.values()];
  }

  /** The committed offset for `partition`, or null when none was committed. */
  committedOffset(partition: SourcePartition): SourceOffset | null {
    return this.committed.get(partitionKey(partition))?.offset ?? null;
  }

  /**
   * Stops the task: aborts any in-flight poll and waits for it to settle (its outcome is ignored, as
   * the runtime discards a batch returned after stop), then calls `task.stop()`. Idempotent; later
   * calls share the first call's promise. Does not commit offsets.
   */
  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  /**
   * Replaces the task with a new instance from the factory, initialized with the committed offsets
   * only, and starts it. See `RestartOptions.graceful` for what happens to the old task.
   */
  async restart(options: RestartOptions = {}): Promise<void> {
    if (options.graceful === true && this.state === 'running') {
      await this.awaitInFlight();
      await this.commitOffsets();
    }
    await this.stop();
    this.pending.clear();
    this.generation++;
    this.controller = new AbortController();
    this.stopping = null;
    this.state = 'new';
    this.currentTask = this.factory();
    await this.start();
  }

  private async doStop(): Promise<void> {
    this.state = 'stopped';
    this.controller.abort();
    await this.awaitInFlight();
    await this.currentTask.stop();
  }

  private async awaitInFlight(): Promise<void> {
    try {
      await this.inFlight;
    } catch {
      // the runtime drops a failed poll that raced with stop; so does the harness
    }
  }

  private async acknowledge(record: SourceRecord): Promise<void> {
    this.records.push(record);
    if (this.options.isFiltered?.(record) === true) {
      await this.currentTask.commitRecord?.(record, null);
    } else {
      await this.currentTask.commitRecord?.(record, this.metadataFor(record));
    }
    // a filtered record's offset is still committable: the runtime commits offsets of dropped records
    const key = partitionKey(record.sourcePartition);
    this.pending.set(key, { partition: record.sourcePartition, offset: record.sourceOffset });
  }

  private metadataFor(record: SourceRecord): RecordMetadata {
    const partition = record.kafkaPartition ?? 0;
    const tp = `${record.topic}\u0000${partition}`;
    const offset = this.nextLogOffset.get(tp) ?? 0;
    this.nextLogOffset.set(tp, offset + 1);
    return { topic: record.topic, partition, offset, timestamp: record.timestamp ?? Date.now() };
  }

  private assertRunning(op: string): void {
    if (this.state !== 'running')
      throw new IllegalStateError(`cannot ${op}: the task is ${this.state === 'new' ? 'not started' : 'stopped'}`);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
