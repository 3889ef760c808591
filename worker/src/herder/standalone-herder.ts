import type {
  ConnectorInfo,
  ConnectorOffsets,
  ConnectorStateInfo,
  Herder,
  InitialState,
  PutConfigResult,
  RestartRequest,
  WorkerHealth,
} from '@sluice/api';
import { NotFoundError, errorTrace } from '@sluice/core';
import type { TaskConfig } from '@sluice/core';
import { Worker } from '../runtime/worker.js';
import type { WorkerMetrics } from '../metrics/worker-metrics.js';
import type { TargetState } from '../storage/config-store.js';
import { stableStringify } from '../storage/offset-store.js';
import { HerderBase, type HerderStores } from './herder-base.js';

export interface StandaloneHerderOptions extends HerderStores {
  workerConfig: Readonly<Record<string, string>>;
  metrics?: WorkerMetrics;
}

const sameConfigs = (a: readonly TaskConfig[], b: readonly TaskConfig[]): boolean =>
  a.length === b.length && a.every((c, i) => stableStringify(c) === stableStringify(b[i]));

/**
 * The herder of a single worker that owns every connector (standalone mode). State lives in the
 * same internal topics as in distributed mode, here on the embedded log, so configs, target states,
 * offsets and statuses survive restarts. All writes are serialized on one queue.
 */
export class StandaloneHerder extends HerderBase implements Herder {
  private readonly worker: Worker;
  private queue: Promise<unknown> = Promise.resolve();
  private state: 'starting' | 'running' | 'stopping' | 'stopped' = 'starting';
  /** the connector config each running connector instance was started with */
  private readonly runningConfigs = new Map<string, string>();

  constructor(options: StandaloneHerderOptions) {
    super(options);
    this.worker = new Worker({
      workerId: options.workerId,
      log: options.log,
      registry: options.registry,
      offsetStore: options.offsetStore,
      statusStore: options.statusStore,
      workerConfig: options.workerConfig,
      logger: options.logger,
      ...(options.metrics ? { metrics: options.metrics } : {}),
    });
    this.worker.onReconfigure = (name) => void this.serial(() => this.reconcile(name, false));
  }

  health(): WorkerHealth {
    if (this.state === 'starting') return { status: 'starting', message: 'Worker is still starting up' };
    if (this.state === 'running') return { status: 'healthy', message: 'Worker has completed startup and is ready to handle requests.' };
    return { status: 'unhealthy', message: 'Worker is shutting down' };
  }

  /** Starts every stored connector in its target state. */
  async start(): Promise<void> {
    this.stores.configStore.setListener({ onLoggerLevel: (ns, level) => this.applyClusterLoggerLevel(ns, level) });
    for (const name of this.stores.configStore.connectors()) {
      await this.serial(() => this.reconcile(name, false));
    }
    this.state = 'running';
  }

  /** Graceful stop: tasks drain and commit within `task.shutdown.graceful.timeout.ms`. */
  async stop(): Promise<void> {
    if (this.state === 'stopping' || this.state === 'stopped') return;
    this.state = 'stopping';
    await this.queue.catch(() => undefined);
    await this.worker.stopAll();
    this.state = 'stopped';
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Brings what runs for `name` in line with its stored config and target state. */
  private async reconcile(name: string, forceRestart: boolean): Promise<void> {
    const { configStore, statusStore } = this.stores;
    const config = configStore.connectorConfig(name);
    const ownTasks = () => this.worker.runningTasks().filter((t) => t.connector === name);
    if (!config) {
      await this.worker.stopTasks(ownTasks(), false);
      await this.worker.stopConnector(name, false);
      this.runningConfigs.delete(name);
      return;
    }
    const target = configStore.targetState(name);
    const fingerprint = stableStringify(config);
    const changed = this.runningConfigs.has(name) && this.runningConfigs.get(name) !== fingerprint;
    if (changed || forceRestart) {
      await this.worker.stopTasks(ownTasks(), false);
      await this.worker.stopConnector(name, false);
      this.runningConfigs.delete(name);
    }
    if (!this.runningConfigs.has(name)) {
      this.runningConfigs.set(name, fingerprint);
      const ok = await this.worker.startConnector(name, config, target);
      if (!ok) {
        await this.worker.stopTasks(ownTasks());
        return;
      }
    } else {
      await this.worker.setConnectorTarget(name, target);
    }
    if (target === 'STOPPED') {
      await this.worker.stopTasks(ownTasks(), false);
      if (configStore.tasks(name).length > 0) await configStore.putTaskConfigs(name, []);
      await statusStore.removeTasksFrom(name, 0);
      return;
    }
    if (target === 'STARTED') {
      const generated = await this.worker.taskConfigs(name);
      if (generated === null) {
        await this.worker.stopTasks(ownTasks());
        return;
      }
      if (!sameConfigs(generated, configStore.tasks(name))) {
        await this.worker.stopTasks(ownTasks(), false);
        await configStore.putTaskConfigs(name, generated.map((c) => ({ ...c })));
        await statusStore.removeTasksFrom(name, generated.length);
      }
    }
    const taskConfigs = configStore.tasks(name);
    for (let id = 0; id < taskConfigs.length; id++) {
      if (this.worker.taskRunner(name, id)) this.worker.setTaskTarget(name, id, target);
      else this.worker.startTask(name, id, config, taskConfigs[id]!, target);
    }
  }

  async putConnectorConfig(
    name: string,
    config: Record<string, string>,
    options: { allowReplace: boolean; initialState?: InitialState },
  ): Promise<PutConfigResult> {
    return this.serial(async () => {
      const created = await this.validateAndWriteConfig(name, { ...config, name }, options);
      await this.reconcile(name, false);
      return { created, info: await this.connectorInfo(name) };
    });
  }

  async patchConnectorConfig(name: string, patch: Record<string, string | null>): Promise<ConnectorInfo> {
    return (await this.putConnectorConfig(name, this.patchedConfig(name, patch), { allowReplace: true })).info;
  }

  async deleteConnector(name: string): Promise<void> {
    await this.serial(async () => {
      this.requireConfig(name);
      const taskCount = this.stores.configStore.tasks(name).length;
      await this.stores.configStore.removeConnectorConfig(name);
      await this.reconcile(name, false);
      await this.stores.statusStore.destroy(name, Array.from({ length: taskCount }, (_, i) => i));
    });
  }

  private async setTarget(name: string, target: TargetState): Promise<void> {
    await this.serial(async () => {
      this.requireConfig(name);
      await this.stores.configStore.putTargetState(name, target);
      await this.reconcile(name, false);
    });
  }

  pauseConnector(name: string): Promise<void> {
    return this.setTarget(name, 'PAUSED');
  }

  async resumeConnector(name: string): Promise<void> {
    const wasFailed = this.stores.statusStore.connector(name)?.state === 'FAILED';
    await this.setTarget(name, 'STARTED');
    if (wasFailed) return;
  }

  stopConnector(name: string): Promise<void> {
    return this.setTarget(name, 'STOPPED');
  }

  async restartConnector(name: string, request: RestartRequest): Promise<ConnectorStateInfo | null> {
    this.requireConfig(name);
    if (!request.includeTasks && !request.onlyFailed) {
      await this.serial(() => this.restartConnectorInstance(name));
      return null;
    }
    const status = await this.connectorStatus(name);
    const restartConnector = !request.onlyFailed || status.connector.state === 'FAILED';
    const restartTasks = request.includeTasks
      ? status.tasks.filter((t) => !request.onlyFailed || t.state === 'FAILED').map((t) => t.id)
      : [];
    const plan: ConnectorStateInfo = {
      ...status,
      connector: restartConnector ? { ...status.connector, state: 'RESTARTING', trace: undefined } : status.connector,
      tasks: status.tasks.map((t) => (restartTasks.includes(t.id) ? { ...t, state: 'RESTARTING', trace: undefined } : t)),
    };
    const gen = 0;
    if (restartConnector) await this.stores.statusStore.putConnector(name, { state: 'RESTARTING', trace: null, workerId: this.workerId(), generation: gen });
    for (const id of restartTasks) {
      await this.stores.statusStore.putTask(name, id, { state: 'RESTARTING', trace: null, workerId: this.workerId(), generation: gen });
    }
    void this.serial(async () => {
      await this.worker.stopTasks(restartTasks.map((id) => ({ connector: name, id })), false);
      if (restartConnector) {
        await this.worker.stopConnector(name, false);
        this.runningConfigs.delete(name);
      }
      await this.reconcile(name, false);
    }).catch((err) => this.stores.logger.error('Restart failed', { connector: name, trace: errorTrace(err) }));
    return plan;
  }

  private async restartConnectorInstance(name: string): Promise<void> {
    await this.worker.stopConnector(name, false);
    this.runningConfigs.delete(name);
    await this.reconcile(name, false);
  }

  async restartTask(name: string, task: number): Promise<void> {
    await this.serial(async () => {
      const config = this.requireConfig(name);
      const taskConfig = this.stores.configStore.tasks(name)[task];
      if (!taskConfig) throw new NotFoundError(`Task ${name}-${task} not found`);
      await this.worker.stopTasks([{ connector: name, id: task }], false);
      this.worker.startTask(name, task, config, taskConfig, this.stores.configStore.targetState(name));
    });
  }

  async alterConnectorOffsets(name: string, body: ConnectorOffsets): Promise<{ message: string }> {
    return this.serial(async () => {
      const config = this.requireConfig(name);
      this.requireStoppedForOffsets(name);
      const { alterOffsets } = await import('./offsets-admin.js');
      return alterOffsets(this.stores, name, config, this.connectorType(config), body.offsets, false);
    });
  }

  async resetConnectorOffsets(name: string): Promise<{ message: string }> {
    return this.serial(async () => {
      const config = this.requireConfig(name);
      this.requireStoppedForOffsets(name);
      const { alterOffsets } = await import('./offsets-admin.js');
      return alterOffsets(this.stores, name, config, this.connectorType(config), null, true);
    });
  }
}
