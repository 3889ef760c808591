import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger, SourceRecord, SourceTask, SourceTaskContext, TaskConfig } from '@sluice/core';
import { RetriableError, errorTrace } from '@sluice/core';
import type { Log, LogHeader, LogTransaction, ProduceAck, ProduceRecord, TransactionalProducer } from '../log/log.js';
import type { ConverterSet } from '../pipeline/converters.js';
import { type ErrorHandler, SKIP } from '../pipeline/error-handler.js';
import type { TransformationChain } from '../pipeline/transformation-chain.js';
import type { SourceOffsetStore } from '../storage/offset-store.js';
import { SubmittedRecords } from './submitted-records.js';
import type { TaskMetrics } from '../metrics/worker-metrics.js';
import type { SubmittedRecord } from './submitted-records.js';
import { PauseGate, type RunnerState, type TaskRunner, type TaskStatusListener } from './task-runner.js';

export interface SourceTaskRunnerOptions {
  connector: string;
  taskId: number;
  task: SourceTask;
  taskConfig: TaskConfig;
  log: Log;
  offsetStore: SourceOffsetStore;
  converters: ConverterSet;
  transforms: TransformationChain;
  errorHandler: ErrorHandler;
  listener: TaskStatusListener;
  logger: Logger;
  offsetFlushIntervalMs: number;
  offsetFlushTimeoutMs: number;
  /** Makes sure a topic exists before the first record goes to it (topic auto-creation). */
  ensureTopic: (topic: string) => Promise<void>;
  metrics?: TaskMetrics;
  /** called once per topic the task writes to (KIP-558 topic tracking) */
  onTopicUsed?: (topic: string) => void;
  /**
   * Exactly-once mode (distributed, `exactly.once.source.support=enabled`): records and their
   * offsets are written in one transaction per boundary; creating the producer fences zombies.
   */
  exactlyOnce?: {
    producer: () => Promise<TransactionalProducer>;
    boundary: 'poll' | 'interval' | 'connector';
    intervalMs: number;
  };
}

/**
 * Runs one source task (Kafka Connect's WorkerSourceTask, at-least-once): poll → transform → convert
 * → produce; an offset becomes committable only once every earlier record of its source partition is
 * durable; committable offsets are flushed every `offset.flush.interval.ms`, then `task.commit()`.
 */
export class SourceTaskRunner implements TaskRunner {
  readonly connector: string;
  readonly taskId: number;
  private _state: RunnerState = 'CREATED';
  private readonly options: SourceTaskRunnerOptions;
  private readonly submitted = new SubmittedRecords();
  private readonly gate = new PauseGate();
  private readonly stopController = new AbortController();
  private loop: Promise<void> | null = null;
  private stopping: Promise<void> | null = null;
  private flushTimer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private readonly knownTopics = new Set<string>();
  private txProducer: TransactionalProducer | null = null;
  private tx: LogTransaction | null = null;
  private txStarted = 0;
  /** records sent in the open transaction, acknowledged (with their acks) once it commits */
  /** connector-defined boundary requested through the TransactionContext */
  private txRequest: 'commit' | 'abort' | null = null;
  private txPending: { submitted: SubmittedRecord; original: SourceRecord; ack: ProduceAck | null }[] = [];

  constructor(options: SourceTaskRunnerOptions) {
    this.options = options;
    this.connector = options.connector;
    this.taskId = options.taskId;
  }

  get state(): RunnerState {
    return this._state;
  }

  start(paused: boolean): void {
    this.gate.set(paused);
    this.loop = this.run();
  }

  pause(): void {
    // Still starting: remember the target; startup reads the gate and reports PAUSED.
    if (this._state === 'CREATED') this.gate.set(true);
    if (this._state === 'RUNNING') {
      this.gate.set(true);
      this._state = 'PAUSED';
      this.options.listener.onPause();
    }
  }

  resume(): void {
    if (this._state === 'CREATED') this.gate.set(false);
    if (this._state === 'PAUSED') {
      this.gate.set(false);
      this._state = 'RUNNING';
      this.options.listener.onResume();
    }
  }

  stop(graceMs: number): Promise<void> {
    if (!this.stopping) this.stopping = this.doStop(graceMs);
    return this.stopping;
  }

  private async doStop(graceMs: number): Promise<void> {
    this.stopController.abort();
    if (this.flushTimer) clearInterval(this.flushTimer);
    this.gate.set(false);
    const { task, logger } = this.options;
    const finished = this.loop ?? Promise.resolve();
    const timedOut = await Promise.race([finished.then(() => false), sleep(graceMs).then(() => true)]);
    if (timedOut) {
      logger.warn('Source task did not stop within the graceful shutdown budget; abandoning it', { graceMs });
    } else if (this.options.exactlyOnce) {
      if (this._state !== 'FAILED') await this.commitTransaction().catch((err) => logger.warn('Final transaction commit failed', { error: String(err) }));
      else await this.tx?.abort().catch(() => undefined);
      await this.txProducer?.close();
    } else {
      // Acknowledged records are durable even when the task failed: committing them is always safe.
      await this.commitOffsets(true);
    }
    try {
      await task.stop();
    } catch (err) {
      logger.warn('Source task stop() failed', { error: String(err) });
    }
    this.options.transforms.close();
    if (this._state !== 'FAILED') this._state = 'STOPPED';
    this.options.listener.onShutdown();
  }

  private async run(): Promise<void> {
    const { task, taskConfig, listener, logger } = this.options;
    const signal = this.stopController.signal;
    try {
      const context: SourceTaskContext = {
        connectorName: this.connector,
        taskId: this.taskId,
        config: taskConfig,
        logger,
        transactionContext:
          this.options.exactlyOnce?.boundary === 'connector'
            ? {
                commitTransaction: () => {
                  this.txRequest = this.txRequest ?? 'commit';
                },
                abortTransaction: () => {
                  this.txRequest = 'abort';
                },
              }
            : null,
        offsetStorageReader: {
          offset: async (partition) => this.options.offsetStore.get(this.connector, partition),
          offsets: async (partitions) => new Map(partitions.map((p) => [p, this.options.offsetStore.get(this.connector, p)])),
        },
      };
      // Fence any zombie instance of this task first (its open transaction is aborted), then read the
      // offsets: another worker may have run this task until a moment ago.
      if (this.options.exactlyOnce) this.txProducer = await this.options.exactlyOnce.producer();
      await this.options.offsetStore.readToEnd();
      task.initialize?.(context);
      await task.start(taskConfig);
      // A pause or resume that arrived while starting is in the gate (set from `start(paused)`).
      const startPaused = this.gate.isPaused;
      this._state = startPaused ? 'PAUSED' : 'RUNNING';
      if (startPaused) listener.onPause();
      else listener.onStartup();
      // Flushing runs on its own timer so a poll that waits for data does not delay commits.
      if (!this.options.exactlyOnce) {
        this.flushTimer = setInterval(() => void this.commitOffsets(false), this.options.offsetFlushIntervalMs);
        this.flushTimer.unref();
      }
      while (!signal.aborted) {
        await this.gate.wait(signal);
        if (signal.aborted) break;
        let batch: SourceRecord[] | null;
        try {
          batch = await task.poll(signal);
        } catch (err) {
          if (RetriableError.is(err)) {
            logger.warn('Source task poll failed with a retriable error; retrying', { error: String(err) });
            await sleep(1000, undefined, { signal }).catch(() => undefined);
            continue;
          }
          throw err;
        }
        if (batch && batch.length > 0) {
          this.options.metrics?.polled(batch.length);
          await this.send(batch);
        }
        if (this.options.exactlyOnce && (this.tx || this.txPending.length > 0)) {
          const eos = this.options.exactlyOnce;
          if (eos.boundary === 'connector') {
            const request = this.txRequest;
            this.txRequest = null;
            if (request === 'commit') await this.commitTransaction();
            else if (request === 'abort') await this.commitTransaction(true);
          } else if (eos.boundary === 'poll' || Date.now() - this.txStarted >= eos.intervalMs) {
            await this.commitTransaction();
          }
        }
      }
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      this._state = 'FAILED';
      if (this.flushTimer) clearInterval(this.flushTimer);
      logger.error('Source task failed', { trace: errorTrace(error) });
      listener.onFailure(error);
    }
  }

  /** Transforms, converts and produces a polled batch; resolves once every record is acknowledged. */
  private async send(batch: readonly SourceRecord[]): Promise<void> {
    const { transforms, converters, errorHandler, log, task } = this.options;
    const byTopic = new Map<string, { produce: ProduceRecord[]; submitted: SubmittedRecord[]; original: SourceRecord[] }>();
    const commitRecord = task.commitRecord?.bind(task);
    for (const original of batch) {
      const submittedRecord = this.submitted.submit(original);
      const ctx = { pluginName: '', topic: original.topic };
      let transformed: SourceRecord | null | typeof SKIP | Promise<SourceRecord | null | typeof SKIP> = transforms.isEmpty
        ? original
        : errorHandler.run(() => transforms.apply(original), { ...ctx, stage: 'TRANSFORMATION' });
      if (transformed instanceof Promise) transformed = await transformed;
      if (transformed === SKIP || transformed === null) {
        // Filtered or tolerated: nothing to write, but the offset must still advance.
        if (this.options.exactlyOnce) {
          this.txPending.push({ submitted: submittedRecord, original, ack: null });
          continue;
        }
        this.submitted.ack(submittedRecord);
        if (commitRecord) await commitRecord(original, null);
        continue;
      }
      const record = transformed;
      let key: Uint8Array | null | typeof SKIP | Promise<Uint8Array | null | typeof SKIP> = errorHandler.run(() => converters.key.fromConnectData(record.topic, record.keySchema, record.key, record.headers), {
        ...ctx,
        stage: 'KEY_CONVERTER',
      });
      if (key instanceof Promise) key = await key;
      let value: Uint8Array | null | typeof SKIP | Promise<Uint8Array | null | typeof SKIP> = SKIP;
      if (key !== SKIP) {
        value = errorHandler.run(() => converters.value.fromConnectData(record.topic, record.valueSchema, record.value, record.headers), {
          ...ctx,
          stage: 'VALUE_CONVERTER',
        });
        if (value instanceof Promise) value = await value;
      }
      let headers: LogHeader[] | typeof SKIP | Promise<LogHeader[] | typeof SKIP> = SKIP;
      if (value !== SKIP) {
        headers =
          record.headers.length === 0
            ? []
            : errorHandler.run(
                () =>
                  record.headers.map(
                    (h): LogHeader => ({ key: h.key, value: toBuffer(converters.header.fromConnectHeader(record.topic, h.key, h.schema, h.value)) }),
                  ),
                { ...ctx, stage: 'HEADER_CONVERTER' },
              );
        if (headers instanceof Promise) headers = await headers;
      }
      if (key === SKIP || value === SKIP || headers === SKIP) {
        if (this.options.exactlyOnce) {
          this.txPending.push({ submitted: submittedRecord, original, ack: null });
          continue;
        }
        this.submitted.ack(submittedRecord);
        if (commitRecord) await commitRecord(original, null);
        continue;
      }
      let group = byTopic.get(record.topic);
      if (!group) byTopic.set(record.topic, (group = { produce: [], submitted: [], original: [] }));
      const produceRecord: ProduceRecord = {
        key: toBuffer(key),
        value: toBuffer(value),
        headers,
        ...(record.timestamp !== null ? { timestamp: record.timestamp } : {}),
        ...(record.kafkaPartition !== null ? { partition: record.kafkaPartition } : {}),
      };
      group.produce.push(produceRecord);
      group.submitted.push(submittedRecord);
      group.original.push(original);
    }
    for (const [topic, group] of byTopic) {
      if (!this.knownTopics.has(topic)) {
        await this.options.ensureTopic(topic);
        this.knownTopics.add(topic);
        this.options.onTopicUsed?.(topic);
      }
      const started = performance.now();
      if (this.options.exactlyOnce) {
        const tx = await this.openTransaction();
        const acks = await tx.produce(topic, group.produce);
        for (let i = 0; i < acks.length; i++) this.txPending.push({ submitted: group.submitted[i]!, original: group.original[i]!, ack: acks[i]! });
        continue;
      }
      const acks = await this.produceWithRetry(log, topic, group.produce);
      this.options.metrics?.written(acks.length, (performance.now() - started) / 1000);
      for (let i = 0; i < acks.length; i++) {
        this.submitted.ack(group.submitted[i]!);
        if (commitRecord) await commitRecord(group.original[i]!, acks[i]!);
      }
    }
  }

  private async produceWithRetry(log: Log, topic: string, records: ProduceRecord[]) {
    let delay = 100;
    for (;;) {
      try {
        return await log.produce(topic, records);
      } catch (err) {
        // Retriable log failures (broker unavailable) are retried without limit: nothing may be dropped.
        if (!RetriableError.is(err) || this.stopController.signal.aborted) throw err;
        this.options.logger.warn('Producing failed with a retriable error; retrying', { topic, error: String(err) });
        await sleep(delay);
        delay = Math.min(delay * 2, 5000);
      }
    }
  }

  private async openTransaction(): Promise<LogTransaction> {
    if (!this.tx) {
      this.tx = await this.txProducer!.begin();
      this.txStarted = Date.now();
    }
    return this.tx;
  }

  /**
   * Exactly-once: writes the offsets of everything sent in the open transaction into the same
   * transaction and commits; only then are records acknowledged and `task.commit()` called. Any
   * failure fails the task (after an abort), as in Kafka Connect.
   */
  private async commitTransaction(abortRecords = false): Promise<void> {
    if (this.txPending.length === 0 && !this.tx) return;
    const { offsetStore, task } = this.options;
    const pending = this.txPending;
    for (const p of pending) this.submitted.ack(p.submitted);
    const entries = this.submitted.drainCommittable();
    let tx = await this.openTransaction();
    const started = performance.now();
    try {
      if (abortRecords) {
        // A connector-requested abort discards the records but still moves the offsets past them
        // (as Kafka Connect): the offsets go in a fresh transaction.
        await tx.abort();
        this.tx = null;
        tx = await this.openTransaction();
        for (const p of pending) p.ack = null;
      }
      if (entries.length > 0) await tx.produce(offsetStore.topicName, offsetStore.records(this.connector, entries));
      await tx.commit();
    } catch (err) {
      this.options.metrics?.commit(false, 0);
      await tx.abort().catch(() => undefined);
      this.tx = null;
      throw err;
    }
    this.tx = null;
    this.txPending = [];
    this.options.metrics?.commit(true, (performance.now() - started) / 1000);
    this.options.metrics?.written(pending.filter((p) => p.ack).length, (performance.now() - started) / 1000);
    offsetStore.applyCommitted(this.connector, entries);
    for (const p of pending) await task.commitRecord?.(p.original, p.ack);
    await task.commit?.();
  }

  /** Flushes committable offsets to the offsets store, then calls `task.commit()`. */
  async commitOffsets(final: boolean): Promise<void> {
    if (this.flushing) {
      await this.flushing;
      if (!final) return;
    }
    this.flushing = this.doCommit().finally(() => {
      this.flushing = null;
    });
    await this.flushing;
  }

  private async doCommit(): Promise<void> {
    const { offsetStore, task, logger, offsetFlushTimeoutMs } = this.options;
    const entries = this.submitted.drainCommittable();
    if (entries.length > 0) {
      const started = performance.now();
      try {
        const write = offsetStore.set(this.connector, entries);
        const timeout = sleep(offsetFlushTimeoutMs).then(() => {
          throw new Error(`Offset flush timed out after ${offsetFlushTimeoutMs} ms`);
        });
        await Promise.race([write, timeout]);
        this.options.metrics?.commit(true, (performance.now() - started) / 1000);
      } catch (err) {
        this.options.metrics?.commit(false, 0);
        // Retried at the next interval: offsets only ever move forward on success.
        this.submitted.restore(entries);
        logger.warn('Offset flush failed; will retry', { error: String(err) });
        return;
      }
    }
    try {
      await task.commit?.();
    } catch (err) {
      logger.warn('Source task commit() failed', { error: String(err) });
    }
  }
}

function toBuffer(bytes: Uint8Array | null): Buffer | null {
  if (bytes === null) return null;
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
