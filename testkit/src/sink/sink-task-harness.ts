import {
  IllegalStateError,
  tpKey,
  type ErrantRecordReporter,
  type Logger,
  type SinkOffsets,
  type SinkRecord,
  type SinkTask,
  type SinkTaskContext,
  type TaskConfig,
  type TopicPartition,
} from '@sluice/core';
import { CapturingLogger } from '../logging/capturing-logger.js';

export interface SinkTaskHarnessOptions {
  /** The task config passed to `start` (and to the context). */
  readonly config: TaskConfig;
  /** Defaults to `test-connector`. */
  readonly connectorName?: string;
  /** Defaults to 0. */
  readonly taskId?: number;
  /** Defaults to a fresh `CapturingLogger`, exposed as `harness.logger`. */
  readonly logger?: Logger;
  /**
   * false gives the task a null `errantRecordReporter`, as with `errors.tolerance=none` and no DLQ.
   * Default true: reports are collected in `errantRecords`.
   */
  readonly errantRecordReporter?: boolean;
}

/** A record the task reported through the errant-record reporter. */
export interface ErrantRecordReport {
  readonly record: SinkRecord;
  readonly error: Error;
}

type HarnessState = 'new' | 'running' | 'stopped';

/**
 * Drives one `SinkTask` the way the worker does, minus the consumer: `initialize` → `start` →
 * `open(partitions)` → `put(batch)`… → `commit()` (preCommit, or flush + the given offsets) →
 * `close(partitions)` → `stop()`.
 *
 * The harness tracks the consumer position of each partition (last delivered offset + 1), applies
 * rewinds the task requests through `context.offset()`, and records pauses, commit requests,
 * backoffs and errant-record reports for assertions. It does not enforce pauses: `put` delivers
 * whatever the test passes, so a test can check how a task behaves either way.
 */
export class SinkTaskHarness<T extends SinkTask = SinkTask> {
  readonly task: T;
  readonly logger: Logger;
  /** Reports made through `context.errantRecordReporter`, in order. */
  readonly errantRecords: ErrantRecordReport[] = [];
  /** Every rewind the task requested through `context.offset(tp, offset)`, in order. */
  readonly rewinds: { tp: TopicPartition; offset: number }[] = [];
  /** The last backoff the task set through `context.timeout(ms)`, or null. */
  timeoutMs: number | null = null;
  /** Set when the task calls `context.requestCommit()`; cleared by `commit()`. */
  commitRequested = false;

  private state: HarnessState = 'new';
  private stopping: Promise<void> | null = null;
  private readonly assigned = new Map<string, TopicPartition>();
  private readonly pausedTps = new Map<string, TopicPartition>();
  private readonly positions: SinkOffsets = new Map();
  private readonly committed: SinkOffsets = new Map();

  constructor(
    task: T,
    private readonly options: SinkTaskHarnessOptions,
  ) {
    this.task = task;
    this.logger = options.logger ?? new CapturingLogger();
  }

  /** Creates a harness, starts the task and opens `partitions` (if any). */
  static async start<T extends SinkTask>(
    task: T,
    options: SinkTaskHarnessOptions & { partitions?: readonly TopicPartition[] },
  ): Promise<SinkTaskHarness<T>> {
    const harness = new SinkTaskHarness(task, options);
    await harness.start();
    if (options.partitions !== undefined && options.partitions.length > 0) await harness.open(options.partitions);
    return harness;
  }

  /** The logger as a `CapturingLogger`; throws when the caller supplied a different logger. */
  get capturedLogs(): CapturingLogger {
    if (this.logger instanceof CapturingLogger) return this.logger;
    throw new IllegalStateError('capturedLogs is only available when the harness created its own logger');
  }

  /** Calls `initialize` with a fresh context and then `start`. */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new IllegalStateError(`cannot start a harness that is ${this.state}`);
    this.task.initialize?.(this.createContext());
    this.state = 'running';
    await this.task.start(this.options.config);
  }

  /** Assigns `partitions` to the task and calls `open` for them. */
  async open(partitions: readonly TopicPartition[]): Promise<void> {
    this.assertRunning('open');
    for (const tp of partitions) this.assigned.set(tpKey(tp), { topic: tp.topic, partition: tp.partition });
    await this.task.open?.(partitions);
  }

  /**
   * Delivers one batch. Every record's partition must be assigned (call `open` first), as the runtime
   * never delivers others. Advances each partition's position to the last record's offset + 1 once
   * `put` resolves; a throwing `put` leaves positions untouched (the runtime redelivers the batch).
   */
  async put(records: readonly SinkRecord[]): Promise<void> {
    this.assertRunning('put');
    for (const r of records) {
      if (!this.assigned.has(tpKey({ topic: r.topic, partition: r.kafkaPartition }))) {
        throw new IllegalStateError(`record for ${r.topic}-${r.kafkaPartition} but that partition is not assigned`);
      }
    }
    await this.task.put(records);
    for (const r of records) {
      const tp = { topic: r.topic, partition: r.kafkaPartition };
      this.positions.set(tpKey(tp), { tp, offset: r.kafkaOffset + 1 });
    }
  }

  /**
   * Runs the commit the runtime would run now: `preCommit(positions)` if the task has one, else
   * `flush(positions)` and the positions themselves. Throws IllegalStateError if the task returns an
   * offset beyond what was delivered. Returns (a copy of) what would be committed, and remembers it
   * in `committedOffsets()`.
   */
  async commit(): Promise<SinkOffsets> {
    this.assertRunning('commit');
    return this.commitPartitions([...this.assigned.keys()]);
  }

  /** The consumer position per partition: the next offset the runtime would deliver. */
  currentOffsets(): SinkOffsets {
    return copyOffsets(this.positions);
  }

  /** Offsets committed so far (latest per partition). */
  committedOffsets(): SinkOffsets {
    return copyOffsets(this.committed);
  }

  /** Partitions currently assigned. */
  assignment(): TopicPartition[] {
    return [...this.assigned.values()];
  }

  /** Partitions the task has paused and not resumed. */
  paused(): TopicPartition[] {
    return [...this.pausedTps.values()];
  }

  /**
   * Revokes `partitions` as a rebalance would: commits them, then calls `close`, then drops them from
   * the assignment.
   */
  async close(partitions: readonly TopicPartition[]): Promise<void> {
    this.assertRunning('close');
    await this.commitPartitions(partitions.map(tpKey));
    await this.task.close?.(partitions);
    for (const tp of partitions) {
      this.assigned.delete(tpKey(tp));
      this.pausedTps.delete(tpKey(tp));
    }
  }

  /**
   * Shuts the task down like the runtime: commit and `close` for every assigned partition, then
   * `stop()`. Every step runs even if an earlier one fails; the first failure is rethrown.
   * Idempotent: later calls share the first call's promise. Safe on a task that was never started.
   */
  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    const wasRunning = this.state === 'running';
    const errors: unknown[] = [];
    if (wasRunning && this.assigned.size > 0) {
      const partitions = this.assignment();
      await this.commitPartitions([...this.assigned.keys()]).catch((e: unknown) => errors.push(e));
      await Promise.resolve()
        .then(() => this.task.close?.(partitions))
        .catch((e: unknown) => errors.push(e));
    }
    this.state = 'stopped';
    await Promise.resolve()
      .then(() => this.task.stop())
      .catch((e: unknown) => errors.push(e));
    if (errors.length > 0) throw errors[0];
  }

  private async commitPartitions(keys: readonly string[]): Promise<SinkOffsets> {
    const offered: SinkOffsets = new Map();
    for (const key of keys) {
      const pos = this.positions.get(key);
      if (pos !== undefined) offered.set(key, { tp: pos.tp, offset: pos.offset });
    }
    this.commitRequested = false;
    let result: SinkOffsets;
    if (this.task.preCommit !== undefined) {
      result = await this.task.preCommit(copyOffsets(offered));
    } else {
      await this.task.flush?.(copyOffsets(offered));
      result = offered;
    }
    for (const [key, { tp, offset }] of result) {
      const given = offered.get(key);
      if (given === undefined || offset > given.offset) {
        throw new IllegalStateError(
          `preCommit returned offset ${offset} for ${tpKey(tp)} but only ${given?.offset ?? 'nothing'} was delivered`,
        );
      }
    }
    for (const [key, entry] of result) this.committed.set(key, { tp: entry.tp, offset: entry.offset });
    return copyOffsets(result);
  }

  private createContext(): SinkTaskContext {
    const reporter: ErrantRecordReporter = async (record, error) => {
      this.errantRecords.push({ record, error });
    };
    return {
      connectorName: this.options.connectorName ?? 'test-connector',
      taskId: this.options.taskId ?? 0,
      config: this.options.config,
      logger: this.logger,
      assignment: () => this.assignment(),
      offset: (tp, offset) => {
        this.rewinds.push({ tp, offset });
        // the runtime seeks the consumer, so the position (and the next commit) follow the rewind
        this.positions.set(tpKey(tp), { tp, offset });
      },
      pause: (...tps) => {
        for (const tp of tps) this.pausedTps.set(tpKey(tp), tp);
      },
      resume: (...tps) => {
        for (const tp of tps) this.pausedTps.delete(tpKey(tp));
      },
      requestCommit: () => {
        this.commitRequested = true;
      },
      timeout: (ms) => {
        this.timeoutMs = ms;
      },
      errantRecordReporter: this.options.errantRecordReporter === false ? null : reporter,
    };
  }

  private assertRunning(op: string): void {
    if (this.state !== 'running')
      throw new IllegalStateError(`cannot ${op}: the task is ${this.state === 'new' ? 'not started' : 'stopped'}`);
  }
}

function copyOffsets(offsets: SinkOffsets): SinkOffsets {
  const copy: SinkOffsets = new Map();
  for (const [key, { tp, offset }] of offsets)
    copy.set(key, { tp: { topic: tp.topic, partition: tp.partition }, offset });
  return copy;
}
