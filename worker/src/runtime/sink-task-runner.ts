import { setTimeout as sleep } from 'node:timers/promises';
import type { Header, Logger, SchemaAndValue, SinkOffsets, SinkRecord, SinkTask, SinkTaskContext, TaskConfig, TopicPartition } from '@sluice/core';
import { NotFoundError, RetriableError, errorTrace, sinkRecord, tpKey } from '@sluice/core';
import type { GroupConsumer, Log, LogRecord, RebalanceListener, Subscription } from '../log/log.js';
import type { ConverterSet } from '../pipeline/converters.js';
import { type ErrorHandler, type FailureContext, SKIP } from '../pipeline/error-handler.js';
import type { TransformationChain } from '../pipeline/transformation-chain.js';
import type { TaskMetrics } from '../metrics/worker-metrics.js';
import { PauseGate, type RunnerState, type TaskRunner, type TaskStatusListener } from './task-runner.js';

export interface SinkTaskRunnerOptions {
  connector: string;
  taskId: number;
  task: SinkTask;
  taskConfig: TaskConfig;
  connectorConfig: Readonly<Record<string, string>>;
  log: Log;
  converters: ConverterSet;
  transforms: TransformationChain;
  errorHandler: ErrorHandler;
  listener: TaskStatusListener;
  logger: Logger;
  offsetFlushIntervalMs: number;
  /** consumer group, default `connect-<connector>` */
  groupId: string;
  maxPollRecords?: number;
  metrics?: TaskMetrics;
  /** called once per topic the task consumes from (KIP-558 topic tracking) */
  onTopicUsed?: (topic: string) => void;
}

/**
 * Runs one sink task (Kafka Connect's WorkerSinkTask): consume in group `connect-<name>` → convert →
 * transform → `put`; every `offset.flush.interval.ms` (and on revocation and stop) `preCommit`
 * decides which offsets are durable and only those are committed.
 */
export class SinkTaskRunner implements TaskRunner {
  readonly connector: string;
  readonly taskId: number;
  private _state: RunnerState = 'CREATED';
  private readonly options: SinkTaskRunnerOptions;
  private readonly gate = new PauseGate();
  private readonly stopController = new AbortController();
  private consumer: GroupConsumer | null = null;
  private loop: Promise<void> | null = null;
  private stopping: Promise<void> | null = null;
  /** next offset to commit per partition: last delivered + 1 */
  private readonly current: SinkOffsets = new Map();
  private lastCommitted = new Map<string, number>();
  private commitRequested = false;
  private nextCommitAt = 0;
  private retryBackoffMs = 0;
  private assigned: TopicPartition[] = [];
  private readonly taskPaused = new Set<string>();
  private readonly seenTopics = new Set<string>();
  /** raw records of the batch being delivered, for the errant record reporter's dead letter queue */
  private inFlight = new Map<string, LogRecord>();

  constructor(options: SinkTaskRunnerOptions) {
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
      this.commitRequested = true;
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
    this.gate.set(false);
    const { task, logger } = this.options;
    const timedOut = await Promise.race([(this.loop ?? Promise.resolve()).then(() => false), sleep(graceMs).then(() => true)]);
    if (timedOut) logger.warn('Sink task did not stop within the graceful shutdown budget; abandoning it', { graceMs });
    try {
      if (!timedOut && this._state !== 'FAILED') await this.commit('stop');
    } catch (err) {
      logger.warn('Final sink commit failed; records since the last commit will be redelivered', { error: String(err) });
    }
    // Leaving the group revokes every partition through the listener (final commit + task.close).
    await this.consumer?.close().catch((err) => logger.warn('Closing the consumer failed', { error: String(err) }));
    try {
      await task.stop();
    } catch (err) {
      logger.warn('Sink task stop() failed', { error: String(err) });
    }
    this.options.transforms.close();
    if (this._state !== 'FAILED') this._state = 'STOPPED';
    this.options.listener.onShutdown();
  }

  private subscription(): Subscription {
    const { connectorConfig } = this.options;
    const regex = connectorConfig['topics.regex'];
    if (regex && regex.trim() !== '') return { topicsRegex: new RegExp(`^(?:${regex})$`) };
    return {
      topics: (connectorConfig['topics'] ?? '')
        .split(',')
        .map((t) => t.trim())
        .filter((t) => t.length > 0),
    };
  }

  private context(): SinkTaskContext {
    const { errorHandler, taskConfig, logger } = this.options;
    const reporter =
      errorHandler.config.tolerance === 'all'
        ? async (record: SinkRecord, error: Error) => {
            const raw = this.inFlight.get(`${record.originalTopic}-${record.originalKafkaPartition}-${record.originalKafkaOffset}`);
            await errorHandler.report({
              stage: 'TASK_PUT',
              pluginName: this.options.connectorConfig['connector.class'] ?? this.connector,
              error,
              topic: record.originalTopic,
              partition: record.originalKafkaPartition,
              offset: record.originalKafkaOffset,
              ...(raw ? { raw } : {}),
            });
          }
        : null;
    return {
      connectorName: this.connector,
      taskId: this.taskId,
      config: taskConfig,
      logger,
      assignment: () => [...this.assigned],
      offset: (tp, offset) => {
        this.consumer?.seek(tp, offset);
        this.current.set(tpKey(tp), { tp, offset });
      },
      pause: (...tps) => {
        for (const tp of tps) this.taskPaused.add(tpKey(tp));
        this.consumer?.pause(tps);
      },
      resume: (...tps) => {
        for (const tp of tps) this.taskPaused.delete(tpKey(tp));
        this.consumer?.resume(tps);
      },
      requestCommit: () => {
        this.commitRequested = true;
      },
      timeout: (ms) => {
        this.retryBackoffMs = ms;
      },
      errantRecordReporter: reporter,
    };
  }

  private async run(): Promise<void> {
    const { task, taskConfig, listener, logger, log } = this.options;
    const signal = this.stopController.signal;
    try {
      task.initialize?.(this.context());
      await task.start(taskConfig);
      this.consumer = log.groupConsumer(this.options.groupId, { clientId: `connector-consumer-${this.connector}-${this.taskId}` });
      const rebalanceListener: RebalanceListener = {
        onPartitionsAssigned: async (tps) => {
          this.assigned.push(...tps);
          for (const tp of tps) this.lastCommitted.delete(tpKey(tp));
          await task.open?.(tps);
        },
        onPartitionsRevoked: async (tps) => {
          if (this._state !== 'FAILED') {
            await this.commit('revoke', tps);
            await task.close?.(tps);
          }
          const gone = new Set(tps.map(tpKey));
          this.assigned = this.assigned.filter((tp) => !gone.has(tpKey(tp)));
          for (const k of gone) this.current.delete(k);
        },
      };
      // Topics that do not exist yet (a source has not written its first record) are waited for,
      // as a Kafka consumer subscribed to them would.
      for (let attempt = 0; ; attempt++) {
        try {
          await this.consumer.subscribe(this.subscription(), rebalanceListener);
          break;
        } catch (err) {
          if (!NotFoundError.is(err) || signal.aborted) throw err;
          if (attempt === 0) logger.info('Waiting for the subscribed topics to exist', { error: String(err) });
          await sleep(1000, undefined, { signal }).catch(() => undefined);
          if (signal.aborted) return;
        }
      }
      // A pause or resume that arrived while starting is in the gate (set from `start(paused)`).
      const startPaused = this.gate.isPaused;
      this._state = startPaused ? 'PAUSED' : 'RUNNING';
      if (startPaused) listener.onPause();
      else listener.onStartup();
      this.nextCommitAt = Date.now() + this.options.offsetFlushIntervalMs;
      while (!signal.aborted) {
        if (this.gate.isPaused) {
          if (this.commitRequested) await this.commit('pause');
          await this.gate.wait(signal);
          continue;
        }
        if (this.commitRequested || Date.now() >= this.nextCommitAt) await this.commit('periodic');
        const waitMs = Math.max(0, Math.min(1000, this.nextCommitAt - Date.now()));
        const raw = await this.consumer.poll({ maxRecords: this.options.maxPollRecords ?? 500, maxWaitMs: waitMs, signal });
        if (raw.length === 0) continue;
        this.options.metrics?.read(raw.length);
        for (const r of raw) {
          if (!this.seenTopics.has(r.topic)) {
            this.seenTopics.add(r.topic);
            this.options.onTopicUsed?.(r.topic);
          }
        }
        const batch = await this.convert(raw);
        this.inFlight = new Map(raw.map((r) => [`${r.topic}-${r.partition}-${r.offset}`, r]));
        const started = performance.now();
        await this.deliver(batch, signal);
        this.options.metrics?.put(batch.length, (performance.now() - started) / 1000);
        this.inFlight = new Map();
        for (const r of raw) {
          const tp = { topic: r.topic, partition: r.partition };
          this.current.set(tpKey(tp), { tp, offset: r.offset + 1 });
        }
      }
    } catch (err) {
      if (signal.aborted && this.stopping) return;
      const error = err instanceof Error ? err : new Error(String(err));
      this._state = 'FAILED';
      logger.error('Sink task failed', { trace: errorTrace(error) });
      listener.onFailure(error);
      // Leave the group so the partitions are not held by a task that no longer consumes them.
      await this.consumer?.close().catch(() => undefined);
    }
  }

  /** Delivers a batch; a RetriableError pauses consumption and redelivers the same batch after a backoff. */
  private async deliver(batch: SinkRecord[], signal: AbortSignal): Promise<void> {
    const { task, logger } = this.options;
    for (;;) {
      try {
        await task.put(batch);
        return;
      } catch (err) {
        if (!RetriableError.is(err) || signal.aborted) throw err;
        const backoff = this.retryBackoffMs > 0 ? this.retryBackoffMs : 1000;
        logger.warn('Sink task put() failed with a retriable error; redelivering the batch', { backoffMs: backoff, error: String(err) });
        await sleep(backoff, undefined, { signal }).catch(() => undefined);
        if (signal.aborted) throw err;
      }
    }
  }

  private async convert(raw: LogRecord[]): Promise<SinkRecord[]> {
    const { converters, transforms, errorHandler } = this.options;
    const out: SinkRecord[] = [];
    // Stages run synchronously on the happy path; `run` falls back to the retrying async path on failure.
    const stage = async <T>(fn: () => T, ctx: Omit<FailureContext, 'error'>): Promise<T | typeof SKIP> => {
      const result = errorHandler.run(fn, ctx);
      return result instanceof Promise ? await result : result;
    };
    for (const r of raw) {
      const ctx = {
        pluginName: this.options.connectorConfig['connector.class'] ?? this.connector,
        topic: r.topic,
        partition: r.partition,
        offset: r.offset,
        raw: r,
        describe: () => `topic=${r.topic} partition=${r.partition} offset=${r.offset} key=${r.key?.toString('utf8') ?? 'null'} value=${r.value?.toString('utf8') ?? 'null'}`,
      };
      let key: SchemaAndValue | typeof SKIP | Promise<SchemaAndValue | typeof SKIP> = errorHandler.run(
        () => converters.key.toConnectData(r.topic, r.key),
        { ...ctx, stage: 'KEY_CONVERTER' },
      );
      if (key instanceof Promise) key = await key;
      if (key === SKIP) continue;
      let value: SchemaAndValue | typeof SKIP | Promise<SchemaAndValue | typeof SKIP> = errorHandler.run(
        () => converters.value.toConnectData(r.topic, r.value),
        { ...ctx, stage: 'VALUE_CONVERTER' },
      );
      if (value instanceof Promise) value = await value;
      if (value === SKIP) continue;
      const headers =
        r.headers.length === 0
          ? []
          : await stage(
              () =>
                r.headers.map((h): Header => {
                  const sv = converters.header.toConnectHeader(r.topic, h.key, h.value);
                  return { key: h.key, schema: sv.schema, value: sv.value };
                }),
              { ...ctx, stage: 'HEADER_CONVERTER' },
            );
      if (headers === SKIP) continue;
      const record = sinkRecord({
        topic: r.topic,
        kafkaPartition: r.partition,
        kafkaOffset: r.offset,
        keySchema: key.schema,
        key: key.value,
        valueSchema: value.schema,
        value: value.value,
        timestamp: r.timestamp,
        timestampType: 'CreateTime',
        headers,
      });
      const transformed = transforms.isEmpty ? record : await stage(() => transforms.apply(record), { ...ctx, stage: 'TRANSFORMATION' });
      if (transformed === SKIP || transformed === null) continue;
      out.push(transformed);
    }
    return out;
  }

  /** Sink lag per partition (end offset − delivered position), refreshed at each commit. */
  private async reportLag(offsets: SinkOffsets): Promise<void> {
    const metrics = this.options.metrics;
    if (!metrics) return;
    try {
      const topics = new Set([...offsets.values()].map((o) => o.tp.topic));
      for (const topic of topics) {
        const ends = await this.options.log.endOffsets(topic);
        for (const { tp, offset } of offsets.values()) {
          if (tp.topic === topic) metrics.lag(topic, tp.partition, Math.max(0, (ends[tp.partition] ?? offset) - offset));
        }
      }
    } catch {
      // lag is best effort; a failed lookup must not disturb the commit
    }
  }

  /** Asks the task which offsets are durable and commits exactly those (only forward). */
  private async commit(reason: string, only?: readonly TopicPartition[]): Promise<void> {
    const { task, logger } = this.options;
    this.commitRequested = false;
    this.nextCommitAt = Date.now() + this.options.offsetFlushIntervalMs;
    const keys = only ? new Set(only.map(tpKey)) : null;
    const offsets: SinkOffsets = new Map([...this.current].filter(([k]) => !keys || keys.has(k)));
    if (offsets.size === 0) return;
    let durable: SinkOffsets;
    if (task.preCommit) {
      durable = await task.preCommit(new Map(offsets));
    } else {
      await task.flush?.(new Map(offsets));
      durable = offsets;
    }
    const toCommit = [...durable.values()].filter(({ tp, offset }) => {
      const given = offsets.get(tpKey(tp));
      const last = this.lastCommitted.get(tpKey(tp));
      // Never commit past what was delivered, and never move backwards.
      return given !== undefined && offset <= given.offset && (last === undefined || offset > last);
    });
    if (toCommit.length === 0) return;
    const started = performance.now();
    try {
      await this.consumer!.commit(toCommit.map(({ tp, offset }) => ({ topic: tp.topic, partition: tp.partition, offset })));
    } catch (err) {
      this.options.metrics?.commit(false, 0);
      throw err;
    }
    this.options.metrics?.commit(true, (performance.now() - started) / 1000);
    for (const { tp, offset } of toCommit) this.lastCommitted.set(tpKey(tp), offset);
    await this.reportLag(offsets);
    logger.debug('Committed sink offsets', { reason, partitions: toCommit.length });
  }
}
