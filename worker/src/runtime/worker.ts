import type { Connector, ConnectorPlugin, Logger, TaskConfig } from '@sluice/core';
import { errorTrace } from '@sluice/core';
import { resolveConfigProviders } from '@sluice/api';
import type { Log } from '../log/log.js';
import { buildConverters } from '../pipeline/converters.js';
import { DeadLetterQueueReporter } from '../pipeline/dead-letter-queue.js';
import { topicCreationFor } from '../pipeline/topic-creation.js';
import { ErrorHandler, errorHandlingConfig } from '../pipeline/error-handler.js';
import { TransformationChain } from '../pipeline/transformation-chain.js';
import type { PluginRegistry } from '../plugins/plugin-registry.js';
import type { TargetState } from '../storage/config-store.js';
import type { OffsetStore, SourceOffsetStore } from '../storage/offset-store.js';
import type { StatusState, StatusStore } from '../storage/status-store.js';
import { SinkTaskRunner } from './sink-task-runner.js';
import { SourceTaskRunner } from './source-task-runner.js';
import type { TaskRunner, TaskStatusListener } from './task-runner.js';
import type { WorkerMetrics } from '../metrics/worker-metrics.js';

export interface WorkerOptions {
  workerId: string;
  log: Log;
  registry: PluginRegistry;
  offsetStore: OffsetStore;
  statusStore: StatusStore;
  /** worker-level settings (converters, flush intervals, topic defaults) */
  workerConfig: Readonly<Record<string, string>>;
  logger: Logger;
  /** group generation stamped on status records (0 in standalone) */
  generation?: () => number;
  metrics?: WorkerMetrics;
}

interface RunningConnector {
  plugin: ConnectorPlugin;
  instance: Connector;
  /** config with provider references resolved (what the connector sees) */
  config: Record<string, string>;
  /** config as stored, references unresolved */
  raw: Record<string, string>;
  started: boolean;
}

export const taskKey = (connector: string, id: number): string => `${connector}-${id}`;

/**
 * Runs connector instances and task runners on this process and reports their statuses. It decides
 * nothing: herders tell it what to run (standalone: everything; distributed: its assignment).
 */
export class Worker {
  private readonly connectors = new Map<string, RunningConnector>();
  private readonly tasks = new Map<string, TaskRunner>();
  private readonly options: WorkerOptions;

  constructor(options: WorkerOptions) {
    this.options = options;
  }

  get workerId(): string {
    return this.options.workerId;
  }

  private num(key: string, dflt: number): number {
    const v = this.options.workerConfig[key];
    return v === undefined || v === '' ? dflt : Number(v);
  }

  private status(connector: string, state: StatusState, error?: Error, task?: number): void {
    const status = {
      state,
      trace: error ? errorTrace(error) : null,
      workerId: this.options.workerId,
      generation: this.options.generation?.() ?? 0,
    };
    const write =
      task === undefined
        ? this.options.statusStore.putConnector(connector, status)
        : this.options.statusStore.putTask(connector, task, status);
    write.catch((err) => this.options.logger.warn('Writing status failed', { connector, task, error: String(err) }));
  }

  isConnectorRunning(name: string): boolean {
    return this.connectors.get(name)?.started === true;
  }

  connectorNames(): string[] {
    return [...this.connectors.keys()];
  }

  runningTasks(): { connector: string; id: number }[] {
    return [
      ...[...this.tasks.values()].map((t) => ({ connector: t.connector, id: t.taskId })),
      ...[...this.starting.values()].map((t) => ({ connector: t.connector, id: t.id })),
    ];
  }

  taskRunner(connector: string, id: number): TaskRunner | undefined {
    return this.tasks.get(taskKey(connector, id));
  }

  /**
   * Resolves `${env:…}`, `${file:…}`, `${dir:…}` references (configs are stored unresolved; values are
   * resolved only here, when a connector or task starts). `${file}`/`${dir}` may read only below
   * `config.providers.allowed.paths`; `${env}` may read variables matching
   * `config.providers.env.allowlist.pattern` (default: all but the worker's own `SLUICE_*` settings).
   */
  async resolve(config: Record<string, string>): Promise<Record<string, string>> {
    if (!Object.values(config).some((v) => v.includes('${'))) return config;
    const wc = this.options.workerConfig;
    const allowedPaths = (wc['config.providers.allowed.paths'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const pattern = wc['config.providers.env.allowlist.pattern'];
    const allowed = pattern ? new RegExp(`^(?:${pattern})$`) : null;
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => (allowed ? allowed.test(k) : !k.startsWith('SLUICE_'))),
    );
    const resolved = await resolveConfigProviders(config, { allowedPaths, env });
    if (resolved.errors.length > 0) {
      throw new Error(
        `Could not resolve config provider references: ${resolved.errors.map((e) => `${e.name}: ${e.errors.join('; ')}`).join(', ')}`,
      );
    }
    return resolved.config;
  }

  /**
   * Starts (STARTED) or registers without starting (PAUSED/STOPPED) a connector instance and writes
   * its status. Returns false when the connector failed to start (status FAILED).
   */
  async startConnector(name: string, config: Record<string, string>, target: TargetState): Promise<boolean> {
    const logger = this.options.logger.child({ connector: name });
    try {
      const plugin = this.options.registry.connector(config['connector.class'] ?? '');
      const instance = plugin.create();
      const resolved = await this.resolve(config);
      const entry: RunningConnector = { plugin, instance, config: resolved, raw: config, started: false };
      this.connectors.set(name, entry);
      instance.initialize?.({
        connectorName: name,
        logger,
        requestTaskReconfiguration: () => this.onReconfigure?.(name),
        raiseError: (error) => {
          logger.error('Connector raised an error', { trace: errorTrace(error) });
          this.status(name, 'FAILED', error);
        },
      });
      if (target === 'STARTED') {
        await instance.start(config);
        entry.started = true;
        this.status(name, 'RUNNING');
      } else {
        this.status(name, target === 'PAUSED' ? 'PAUSED' : 'STOPPED');
      }
      return true;
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      logger.error('Connector failed to start', { trace: errorTrace(error) });
      this.status(name, 'FAILED', error);
      return false;
    }
  }

  /** Called when a connector asks for task reconfiguration (the herder sets it). */
  onReconfigure: ((connector: string) => void) | undefined;

  /** Asks a started connector for task configs; fails the connector on error. */
  async taskConfigs(name: string): Promise<TaskConfig[] | null> {
    const entry = this.connectors.get(name);
    if (!entry?.started) return null;
    try {
      const maxTasks = Number(entry.config['tasks.max'] ?? '1');
      const configs = await entry.instance.taskConfigs(maxTasks);
      if (configs.length > maxTasks) {
        throw new Error(`Connector ${name} returned ${configs.length} task configs, more than tasks.max=${maxTasks}`);
      }
      // Reverse transform (as Kafka Connect): a value the connector copied from a resolved reference is
      // stored as the reference again, so resolved secrets never reach the config topic.
      return configs.map((c) => {
        const out: Record<string, string> = { ...c };
        for (const [k, v] of Object.entries(out)) {
          const raw = entry.raw[k];
          if (raw !== undefined && raw.includes('${') && entry.config[k] === v) out[k] = raw;
        }
        return out;
      });
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      this.status(name, 'FAILED', error);
      entry.started = false;
      return null;
    }
  }

  /** Moves a running connector instance to a new target state (PAUSED stops the instance but keeps it). */
  async setConnectorTarget(name: string, target: TargetState): Promise<void> {
    const entry = this.connectors.get(name);
    if (!entry) return;
    if (target === 'STARTED' && !entry.started) {
      try {
        await entry.instance.start(entry.config);
        entry.started = true;
        this.status(name, 'RUNNING');
      } catch (err) {
        this.status(name, 'FAILED', err instanceof Error ? err : new Error(String(err)));
      }
    } else if (target !== 'STARTED') {
      if (entry.started) await this.safeStop(entry);
      entry.started = false;
      this.status(name, target === 'PAUSED' ? 'PAUSED' : 'STOPPED');
    }
  }

  async stopConnector(name: string, writeStatus = true): Promise<void> {
    const entry = this.connectors.get(name);
    if (!entry) return;
    this.connectors.delete(name);
    if (entry.started) await this.safeStop(entry);
    if (writeStatus) this.status(name, 'UNASSIGNED');
  }

  private async safeStop(entry: RunningConnector): Promise<void> {
    try {
      await entry.instance.stop();
    } catch (err) {
      this.options.logger.warn('Connector stop() failed', { error: String(err) });
    }
  }

  /** Starts one task (after resolving config provider references); failures are reported as task status FAILED. */
  startTask(connector: string, id: number, rawConnectorConfig: Record<string, string>, rawTaskConfig: TaskConfig, target: TargetState): void {
    const key = taskKey(connector, id);
    const pending = this.starting.get(key);
    if (pending) {
      pending.target = target;
      return;
    }
    if (this.tasks.has(key)) return;
    const ticket = { connector, id, cancelled: false, target };
    this.starting.set(key, ticket);
    // a source connector's own offsets topic (offsets.storage.topic) is read to its end before the task starts
    void Promise.all([this.resolve(rawConnectorConfig), this.resolve({ ...rawTaskConfig }), this.options.offsetStore.forConnector(rawConnectorConfig)]).then(
      ([connectorConfig, taskConfig, offsetStore]) => {
        if (this.starting.get(key) === ticket) this.starting.delete(key);
        if (ticket.cancelled) return;
        // The target may have changed (pause/resume) while the configs were being resolved.
        this.startResolvedTask(connector, id, connectorConfig, taskConfig, ticket.target, offsetStore);
      },
      (err: unknown) => {
        if (this.starting.get(key) === ticket) this.starting.delete(key);
        if (ticket.cancelled) return;
        const error = err instanceof Error ? err : new Error(String(err));
        this.options.logger.child({ connector, task: id }).error('Task failed to start', { error: error.message });
        this.status(connector, 'FAILED', error, id);
      },
    );
  }

  /** tasks whose configs are being resolved; a stop in the meantime cancels the start */
  private readonly starting = new Map<string, { connector: string; id: number; cancelled: boolean; target: TargetState }>();

  private startResolvedTask(
    connector: string,
    id: number,
    connectorConfig: Record<string, string>,
    taskConfig: TaskConfig,
    target: TargetState,
    offsetStore: SourceOffsetStore,
  ): void {
    const key = taskKey(connector, id);
    if (this.tasks.has(key)) return;
    const logger = this.options.logger.child({ connector, task: id });
    const metrics = this.options.metrics?.task(connector, id);
    const listener: TaskStatusListener = {
      onStartup: () => {
        metrics?.state('RUNNING');
        this.status(connector, 'RUNNING', undefined, id);
      },
      onPause: () => {
        metrics?.state('PAUSED');
        this.status(connector, 'PAUSED', undefined, id);
      },
      onResume: () => {
        metrics?.state('RUNNING');
        this.status(connector, 'RUNNING', undefined, id);
      },
      onFailure: (error) => {
        metrics?.state('FAILED');
        this.status(connector, 'FAILED', error, id);
      },
      onShutdown: () => {
        metrics?.remove();
        if (this.tasks.get(key) === runner) this.tasks.delete(key);
      },
    };
    let runner: TaskRunner;
    try {
      const plugin = this.options.registry.connector(connectorConfig['connector.class'] ?? '');
      const converters = buildConverters(this.options.registry, this.options.workerConfig, connectorConfig);
      const transforms = TransformationChain.build(this.options.registry, connectorConfig);
      const errorHandler = new ErrorHandler(errorHandlingConfig(connectorConfig), logger);
      errorHandler.onFailure = (stage, skipped) => metrics?.error(stage, skipped);
      const dlqTopic = (connectorConfig['errors.deadletterqueue.topic.name'] ?? '').trim();
      if (dlqTopic !== '' && plugin.type === 'sink') {
        const dlq = new DeadLetterQueueReporter({
          log: this.options.log,
          topic: dlqTopic,
          replicationFactor: Number(connectorConfig['errors.deadletterqueue.topic.replication.factor'] ?? this.options.workerConfig['errors.deadletterqueue.topic.replication.factor'] ?? '-1'),
          connector,
          taskId: id,
          contextHeaders: (connectorConfig['errors.deadletterqueue.context.headers.enable'] ?? 'false').toLowerCase() === 'true',
          logger,
        });
        errorHandler.addReporter(async (ctx) => {
          await dlq.report(ctx);
          metrics?.deadLettered();
        });
      }
      const flushInterval = this.num('offset.flush.interval.ms', 60_000);
      const connectorInstance = plugin.create();
      if (connectorInstance.type === 'source') {
        const exactlyOnce = this.exactlyOnceFor(connector, id, connectorConfig, flushInterval);
        runner = new SourceTaskRunner({
          ...(exactlyOnce ? { exactlyOnce } : {}),
          connector,
          taskId: id,
          task: connectorInstance.createTask(),
          taskConfig,
          log: this.options.log,
          offsetStore,
          converters,
          transforms,
          errorHandler,
          listener,
          logger,
          offsetFlushIntervalMs: flushInterval,
          offsetFlushTimeoutMs: this.num('offset.flush.timeout.ms', 5000),
          ensureTopic: (topic) => this.ensureTopic(topic, connectorConfig),
          onTopicUsed: (topic) => this.trackTopic(connector, id, topic),
          ...(metrics ? { metrics } : {}),
        });
      } else {
        runner = new SinkTaskRunner({
          connector,
          taskId: id,
          task: connectorInstance.createTask(),
          taskConfig,
          connectorConfig,
          log: this.options.log,
          converters,
          transforms,
          errorHandler,
          listener,
          logger,
          offsetFlushIntervalMs: flushInterval,
          groupId: connectorConfig['consumer.override.group.id'] ?? `connect-${connector}`,
          onTopicUsed: (topic) => this.trackTopic(connector, id, topic),
          ...(metrics ? { metrics } : {}),
        });
      }
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      logger.error('Task failed to initialize', { trace: errorTrace(error) });
      this.status(connector, 'FAILED', error, id);
      return;
    }
    this.tasks.set(key, runner);
    runner.start(target !== 'STARTED');
  }

  setTaskTarget(connector: string, id: number, target: TargetState): void {
    const pending = this.starting.get(taskKey(connector, id));
    if (pending) pending.target = target;
    const runner = this.tasks.get(taskKey(connector, id));
    if (!runner) return;
    if (target === 'PAUSED') runner.pause();
    else if (target === 'STARTED') runner.resume();
  }

  /** Stops tasks concurrently within one shared graceful budget (`task.shutdown.graceful.timeout.ms`). */
  async stopTasks(ids: readonly { connector: string; id: number }[], writeStatus = true): Promise<void> {
    const grace = this.num('task.shutdown.graceful.timeout.ms', 5000);
    await Promise.all(
      ids.map(async ({ connector, id }) => {
        const pending = this.starting.get(taskKey(connector, id));
        if (pending) {
          pending.cancelled = true;
          this.starting.delete(taskKey(connector, id));
        }
        const runner = this.tasks.get(taskKey(connector, id));
        if (!runner) return;
        const failed = runner.state === 'FAILED';
        await runner.stop(grace);
        this.tasks.delete(taskKey(connector, id));
        if (writeStatus && !failed) this.status(connector, 'UNASSIGNED', undefined, id);
      }),
    );
  }

  /**
   * Exactly-once source settings for a task (KIP-618): enabled by the worker's
   * `exactly.once.source.support=enabled` on a log with transactions; one transactional producer per
   * task with id `<group.id>-<connector>-<task>`.
   */
  private exactlyOnceFor(connector: string, id: number, config: Record<string, string>, flushIntervalMs: number) {
    const enabled = (this.options.workerConfig['exactly.once.source.support'] ?? 'disabled') === 'enabled';
    const required = (config['exactly.once.support'] ?? 'requested') === 'required';
    const log = this.options.log;
    if (!enabled || !log.transactionalProducer) {
      if (required) {
        throw new Error(
          `Connector ${connector} sets exactly.once.support=required, but this worker does not provide exactly-once ` +
            'source support: run in distributed mode with exactly.once.source.support=enabled',
        );
      }
      return undefined;
    }
    const boundary = config['transaction.boundary'] ?? 'poll';
    if (boundary !== 'poll' && boundary !== 'interval' && boundary !== 'connector') {
      throw new Error(`transaction.boundary=${boundary} is not supported; use poll, interval or connector`);
    }
    if (boundary === 'connector') {
      const plugin = this.options.registry.connector(config['connector.class'] ?? '');
      const instance = plugin.create();
      if (instance.type !== 'source' || instance.canDefineTransactionBoundaries?.(config) !== 'SUPPORTED') {
        throw new Error(`Connector ${connector} cannot define its own transaction boundaries: transaction.boundary=connector is not allowed`);
      }
    }
    const groupId = this.options.workerConfig['group.id'] ?? 'connect-cluster';
    return {
      producer: () => log.transactionalProducer!(`${groupId}-${connector}-${id}`),
      boundary: boundary as 'poll' | 'interval' | 'connector',
      intervalMs: Number(config['transaction.boundary.interval.ms'] ?? flushIntervalMs),
    };
  }

  /** Fences the transactional producers of tasks `from`..`to - 1` (after a connector's task count shrank). */
  async fenceTasks(connector: string, from: number, to: number): Promise<void> {
    const log = this.options.log;
    if ((this.options.workerConfig['exactly.once.source.support'] ?? 'disabled') !== 'enabled' || !log.transactionalProducer) return;
    const groupId = this.options.workerConfig['group.id'] ?? 'connect-cluster';
    for (let i = from; i < to; i++) {
      const producer = await log.transactionalProducer(`${groupId}-${connector}-${i}`);
      await producer.close();
    }
  }

  /** Creates a source connector's target topic if missing (embedded: always; Kafka: topic.creation.*). */
  private async ensureTopic(topic: string, connectorConfig: Record<string, string>): Promise<void> {
    const existing = await this.options.log.describeTopic(topic);
    if (existing) return;
    const rules = (this.options.workerConfig['topic.creation.enable'] ?? 'true') !== 'false' ? topicCreationFor(topic, connectorConfig) : null;
    // Without topic.creation.* settings Kafka would rely on broker auto-creation; Sluice creates the
    // topic with the backend's defaults instead, so a source never blocks on a missing topic.
    await this.options.log.createTopic({
      name: topic,
      partitions: rules && rules.partitions > 0 ? rules.partitions : -1,
      replicationFactor: rules?.replicationFactor ?? -1,
      configs: rules?.configs ?? {},
    });
  }

  /** Records an active topic (`topic.tracking.enable`, default true). */
  private trackTopic(connector: string, task: number, topic: string): void {
    if ((this.options.workerConfig['topic.tracking.enable'] ?? 'true') === 'false') return;
    this.options.statusStore.putTopic(connector, task, topic).catch((err) => this.options.logger.warn('Recording an active topic failed', { connector, topic, error: String(err) }));
  }

  /** Stops everything (graceful), writing UNASSIGNED statuses. */
  async stopAll(): Promise<void> {
    await this.stopTasks(this.runningTasks());
    for (const name of this.connectorNames()) await this.stopConnector(name);
  }
}
