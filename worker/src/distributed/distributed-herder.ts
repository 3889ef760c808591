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
import type { TaskConfig } from '@sluice/core';
import { ConnectError, NotFoundError, errorTrace } from '@sluice/core';
import { HerderBase, type HerderStores } from '../herder/herder-base.js';
import { alterOffsets } from '../herder/offsets-admin.js';
import { Worker } from '../runtime/worker.js';
import type { RestartRequest as StoredRestart } from '../storage/config-store.js';
import { stableStringify } from '../storage/offset-store.js';
import {
  CONNECT_PROTOCOL_VERSION,
  CONNECTOR_TASK,
  parseWorkKey,
  toAllocation,
  workKey,
  workKeys,
  type WorkerAssignment,
  type WorkerMetadata,
} from './connect-protocol.js';
import { assign, emptyMemory } from './cooperative-assignor.js';
import { forwardRequest } from './rest-forwarder.js';
import { randomBytes } from 'node:crypto';
import { signRequest } from '@sluice/api';
import type { WorkerMetrics } from '../metrics/worker-metrics.js';
import { WorkerGroupMember, type GroupClusterAccess, type JoinedMember } from './worker-group-member.js';

export interface DistributedHerderOptions extends HerderStores {
  workerConfig: Readonly<Record<string, string>>;
  /** this worker's advertised REST URL, e.g. `http://10.0.0.5:8083/` */
  url: string;
  cluster: GroupClusterAccess;
  metrics?: WorkerMetrics;
  /** `Authorization` header for requests forwarded to other workers (when REST auth is on) */
  forwardAuthorization?: string;
}

const enc = encodeURIComponent;

/**
 * The herder of one worker in a cluster (Kafka Connect's DistributedHerder). Workers form a group on
 * the broker's coordinator; the leader assigns connectors and tasks with the incremental cooperative
 * assignor; each worker runs what it is assigned. Connector and task configs are written to the
 * config topic by the leader (REST writes that reach a follower are forwarded to it); task configs are
 * written by the worker that runs the connector (see docs/architecture.md for why this is safe with a
 * single-partition config topic and commit records).
 */
export class DistributedHerder extends HerderBase implements Herder {
  private readonly worker: Worker;
  private readonly member: WorkerGroupMember;
  private readonly options: DistributedHerderOptions;
  private readonly memory = emptyMemory();
  private owned = new Set<string>();
  private leaderUrl = '';
  private leaderId = '';
  private isLeader = false;
  private generation = -1;
  private assignedOnce = false;
  private stopping = false;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly connectorFingerprints = new Map<string, string>();
  private readonly taskFingerprints = new Map<string, string>();
  private lastWork = '';

  constructor(options: DistributedHerderOptions) {
    super(options);
    this.options = options;
    this.worker = new Worker({
      workerId: options.workerId,
      log: options.log,
      registry: options.registry,
      offsetStore: options.offsetStore,
      statusStore: options.statusStore,
      workerConfig: options.workerConfig,
      logger: options.logger,
      generation: () => this.generation,
      ...(options.metrics ? { metrics: options.metrics } : {}),
    });
    this.worker.onReconfigure = (name) => void this.serial(() => this.reconcileConnector(name));
    const num = (k: string, d: number) => Number(options.workerConfig[k] ?? d);
    this.member = new WorkerGroupMember({
      cluster: options.cluster,
      groupId: options.workerConfig['group.id'] ?? 'connect-cluster',
      sessionTimeoutMs: num('session.timeout.ms', 10_000),
      rebalanceTimeoutMs: num('rebalance.timeout.ms', 60_000),
      heartbeatIntervalMs: num('heartbeat.interval.ms', 3_000),
      logger: options.logger.child({ component: 'group-member' }),
      metadata: () => this.metadata(),
      assign: (members, generation, leaderId) => this.assignAsLeader(members, generation, leaderId),
      onAssignment: (a, generation, memberId) => this.onAssignment(a, generation, memberId),
      onRebalanced: (seconds) => {
        options.metrics?.rebalances.inc();
        options.metrics?.rebalanceSeconds.observe(seconds);
      },
    });
  }

  health(): WorkerHealth {
    if (this.stopping) return { status: 'unhealthy', message: 'Worker is shutting down' };
    if (!this.assignedOnce) return { status: 'starting', message: 'Worker is joining the cluster (ensuring membership in the group)' };
    return { status: 'healthy', message: 'Worker has completed startup and is ready to handle requests.' };
  }

  async start(): Promise<void> {
    this.options.configStore.setListener({
      onConnectorConfigUpdate: (name) => this.onConfigChange(name),
      onConnectorConfigRemove: (name) => this.onConfigChange(name),
      onTaskConfigUpdate: (name) => this.onConfigChange(name),
      onTargetStateChange: (name) => this.onConfigChange(name),
      onRestartRequest: (req) => void this.serial(() => this.onRestartRequest(req)),
      onLoggerLevel: (ns, level) => this.applyClusterLoggerLevel(ns, level),
    });
    this.member.start();
  }

  /** Stops owned work first (tasks commit), then leaves the group so the others take over at once. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await this.queue.catch(() => undefined);
    await this.worker.stopAll();
    await this.member.stop();
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch((err) => this.options.logger.error('Herder operation failed', { trace: errorTrace(err) }));
    return run;
  }

  private metadata(): WorkerMetadata {
    return {
      version: CONNECT_PROTOCOL_VERSION,
      url: this.options.url,
      configOffset: this.options.configStore.offset,
      allocation: this.owned.size === 0 && this.generation < 0 ? null : toAllocation(this.owned),
    };
  }

  /** connector instances and tasks that should exist according to the config topic */
  private workSet(): Set<string> {
    const work = new Set<string>();
    for (const name of this.options.configStore.connectors()) {
      work.add(workKey(name, CONNECTOR_TASK));
      const n = this.options.configStore.tasks(name).length;
      for (let t = 0; t < n; t++) work.add(workKey(name, t));
    }
    return work;
  }

  private async assignAsLeader(members: JoinedMember[], generation: number, leaderId: string): Promise<Map<string, WorkerAssignment>> {
    await this.options.configStore.readToEnd();
    const work = this.workSet();
    this.lastWork = [...work].sort().join('|');
    const plan = assign(
      members.map((m) => ({ memberId: m.memberId, allocation: workKeys(m.metadata.allocation ?? new Map()) })),
      work,
      this.memory,
      Date.now(),
      Number(this.options.workerConfig['scheduled.rebalance.max.delay.ms'] ?? 300_000),
    );
    const leaderUrl = members.find((m) => m.memberId === leaderId)?.metadata.url ?? this.options.url;
    const out = new Map<string, WorkerAssignment>();
    for (const m of members) {
      out.set(m.memberId, {
        version: CONNECT_PROTOCOL_VERSION,
        error: 0,
        leader: leaderId,
        leaderUrl,
        configOffset: this.options.configStore.offset,
        assigned: toAllocation(plan.assigned.get(m.memberId) ?? []),
        revoked: toAllocation(plan.revoked.get(m.memberId) ?? []),
        delayMs: plan.delayMs,
      });
    }
    this.options.logger.info('Computed worker assignments', { generation, members: members.length, work: work.size, delayMs: plan.delayMs });
    return out;
  }

  private async onAssignment(a: WorkerAssignment, generation: number, memberId: string): Promise<void> {
    this.generation = generation;
    this.leaderUrl = a.leaderUrl;
    this.leaderId = a.leader;
    this.isLeader = a.leader === memberId;
    if (this.isLeader) await this.rotateSessionKeyIfDue();
    // Start work only once the config topic has been read up to the leader's offset.
    const deadline = Date.now() + 30_000;
    while (this.options.configStore.offset < a.configOffset && Date.now() < deadline) await this.options.configStore.readToEnd();
    await this.serial(async () => {
      const revoked = workKeys(a.revoked);
      const stopTasks = [...revoked].map(parseWorkKey).filter((w) => w.task !== CONNECTOR_TASK).map((w) => ({ connector: w.connector, id: w.task }));
      await this.worker.stopTasks(stopTasks);
      for (const w of stopTasks) this.taskFingerprints.delete(`${w.connector}-${w.id}`);
      for (const w of [...revoked].map(parseWorkKey).filter((w) => w.task === CONNECTOR_TASK)) {
        await this.worker.stopConnector(w.connector);
        this.connectorFingerprints.delete(w.connector);
      }
      for (const k of revoked) this.owned.delete(k);
      for (const k of workKeys(a.assigned)) this.owned.add(k);
      await this.reconcileOwned();
    });
    this.assignedOnce = true;
  }

  /**
   * The leader publishes the HMAC key that signs worker-to-worker requests (KIP-507) and replaces it
   * once it is older than `inter.worker.key.ttl.ms` (default one hour).
   */
  private async rotateSessionKeyIfDue(): Promise<void> {
    const ttl = Number(this.options.workerConfig['inter.worker.key.ttl.ms'] ?? 3_600_000);
    const current = this.options.configStore.sessionKey();
    if (current && Date.now() - current.createdMs < ttl) return;
    const bytes = Number(this.options.workerConfig['inter.worker.key.size'] ?? 256) / 8;
    await this.options.configStore.putSessionKey(randomBytes(bytes), this.options.workerConfig['inter.worker.key.generation.algorithm'] ?? 'HmacSHA256');
    this.options.logger.info('Published a new inter-worker session key');
  }

  /** The session key for the API's signed internal endpoints. */
  sessionKey(): { key: Uint8Array; algorithm: string } | null {
    const k = this.options.configStore.sessionKey();
    return k ? { key: k.key, algorithm: k.algorithm } : null;
  }

  /** Signed internal endpoint (leader): stores task configs generated by the worker running the connector. */
  async putTaskConfigs(name: string, configs: Record<string, string>[]): Promise<void> {
    if (!this.isLeader) {
      throw new ConnectError('Cannot complete request because of a conflicting operation (e.g. worker rebalance): this worker is not the leader', {}, 'REBALANCE_IN_PROGRESS');
    }
    await this.serial(async () => {
      this.requireConfig(name);
      await this.options.configStore.putTaskConfigs(name, configs);
    });
  }

  /** Writes task configs: directly as leader, else through the leader's signed internal endpoint. */
  private async writeTaskConfigs(name: string, configs: Record<string, string>[]): Promise<void> {
    if (this.isLeader) {
      await this.options.configStore.putTaskConfigs(name, configs);
      return;
    }
    const key = this.options.configStore.sessionKey();
    if (!key) throw new ConnectError('No inter-worker session key yet; task configs will be written after the next rebalance', {}, 'REBALANCE_IN_PROGRESS');
    const body = JSON.stringify(configs);
    await forwardRequest(this.requireLeaderUrl(), 'POST', `connectors/${enc(name)}/tasks`, undefined, 90_000, this.options.forwardAuthorization, {
      body,
      headers: signRequest(key.key, 'HmacSHA256', body),
    });
    await this.options.configStore.readToEnd();
  }

  private ownedConnectors(): string[] {
    return [...this.owned].map(parseWorkKey).filter((w) => w.task === CONNECTOR_TASK).map((w) => w.connector);
  }

  private ownedTasks(connector?: string): { connector: string; id: number }[] {
    return [...this.owned]
      .map(parseWorkKey)
      .filter((w) => w.task !== CONNECTOR_TASK && (connector === undefined || w.connector === connector))
      .map((w) => ({ connector: w.connector, id: w.task }));
  }

  private async reconcileOwned(): Promise<void> {
    for (const name of this.ownedConnectors()) await this.reconcileConnector(name);
    for (const t of this.ownedTasks()) this.reconcileTask(t.connector, t.id);
  }

  private onConfigChange(name: string): void {
    if (this.isLeader) {
      const work = [...this.workSet()].sort().join('|');
      if (work !== this.lastWork) this.member.requestRejoin();
    }
    void this.serial(async () => {
      if (this.owned.has(workKey(name, CONNECTOR_TASK))) await this.reconcileConnector(name);
      for (const t of this.ownedTasks(name)) this.reconcileTask(t.connector, t.id);
    });
  }

  /** Runs an owned connector instance as its config and target state say; writes new task configs. */
  private async reconcileConnector(name: string): Promise<void> {
    if (!this.owned.has(workKey(name, CONNECTOR_TASK)) || this.stopping) return;
    const { configStore } = this.options;
    const config = configStore.connectorConfig(name);
    if (!config) {
      await this.worker.stopConnector(name, false);
      this.connectorFingerprints.delete(name);
      return;
    }
    const target = configStore.targetState(name);
    const fingerprint = stableStringify(config);
    if (this.connectorFingerprints.has(name) && this.connectorFingerprints.get(name) !== fingerprint) {
      await this.worker.stopConnector(name, false);
      this.connectorFingerprints.delete(name);
    }
    if (!this.connectorFingerprints.has(name)) {
      this.connectorFingerprints.set(name, fingerprint);
      if (!(await this.worker.startConnector(name, config, target))) return;
    } else {
      await this.worker.setConnectorTarget(name, target);
    }
    if (target === 'STOPPED') {
      if (configStore.tasks(name).length > 0) await this.writeTaskConfigs(name, []);
      return;
    }
    if (target === 'STARTED') {
      const generated = await this.worker.taskConfigs(name);
      if (generated === null) return;
      const stored = configStore.tasks(name);
      const same = generated.length === stored.length && generated.every((c, i) => stableStringify(c) === stableStringify(stored[i]));
      if (!same) {
        // Zombie fencing (exactly-once sources): tasks that no longer exist must not commit again.
        if (generated.length < stored.length) await this.worker.fenceTasks(name, generated.length, stored.length);
        await this.writeTaskConfigs(name, generated.map((c: TaskConfig) => ({ ...c })));
      }
    }
  }

  /** Runs an owned task with its current config (restarting it when the config changed). */
  private reconcileTask(connector: string, id: number): void {
    if (this.stopping) return;
    const { configStore } = this.options;
    const key = `${connector}-${id}`;
    const config = configStore.connectorConfig(connector);
    const taskConfig = configStore.tasks(connector)[id];
    const running = this.worker.taskRunner(connector, id);
    if (!config || !taskConfig) {
      if (running) void this.worker.stopTasks([{ connector, id }], false);
      this.taskFingerprints.delete(key);
      return;
    }
    const target = configStore.targetState(connector);
    const fingerprint = stableStringify([config, taskConfig]);
    if (running && this.taskFingerprints.get(key) === fingerprint) {
      this.worker.setTaskTarget(connector, id, target);
      return;
    }
    this.taskFingerprints.set(key, fingerprint);
    void (async () => {
      if (running) await this.worker.stopTasks([{ connector, id }], false);
      this.worker.startTask(connector, id, config, taskConfig, target);
    })();
  }

  private async onRestartRequest(req: StoredRestart): Promise<void> {
    const { connector, includeTasks, onlyFailed } = req;
    const status = this.options.statusStore;
    const legacy = !includeTasks && !onlyFailed;
    if (this.owned.has(workKey(connector, CONNECTOR_TASK))) {
      const failed = status.connector(connector)?.state === 'FAILED';
      if (legacy || !onlyFailed || failed) {
        await this.worker.stopConnector(connector, false);
        this.connectorFingerprints.delete(connector);
        await this.reconcileConnector(connector);
      }
    }
    if (!includeTasks) return;
    for (const t of this.ownedTasks(connector)) {
      if (onlyFailed && status.task(connector, t.id)?.state !== 'FAILED') continue;
      await this.worker.stopTasks([t], false);
      this.taskFingerprints.delete(`${connector}-${t.id}`);
      this.reconcileTask(connector, t.id);
    }
  }

  // ---- REST writes ------------------------------------------------------------------------------

  private requireLeaderUrl(): string {
    if (!this.leaderUrl) {
      throw new ConnectError(
        'Cannot complete request because of a conflicting operation (e.g. worker rebalance): no known leader URL, likely because a rebalance was underway.',
        {},
        'REBALANCE_IN_PROGRESS',
      );
    }
    return this.leaderUrl;
  }

  async putConnectorConfig(
    name: string,
    config: Record<string, string>,
    options: { allowReplace: boolean; initialState?: InitialState },
  ): Promise<PutConfigResult> {
    if (!this.isLeader) {
      const url = this.requireLeaderUrl();
      const res = options.allowReplace
        ? await forwardRequest<ConnectorInfo>(url, 'PUT', `connectors/${enc(name)}/config`, config, 90_000, this.options.forwardAuthorization)
        : await forwardRequest<ConnectorInfo>(url, 'POST', 'connectors', {
            name,
            config,
            ...(options.initialState ? { initial_state: options.initialState } : {}),
          }, 90_000, this.options.forwardAuthorization);
      await this.options.configStore.readToEnd();
      return { created: res.status === 201, info: res.body };
    }
    return this.serial(async () => {
      const created = await this.validateAndWriteConfig(name, { ...config, name }, options);
      return { created, info: await this.connectorInfo(name) };
    });
  }

  async patchConnectorConfig(name: string, patch: Record<string, string | null>): Promise<ConnectorInfo> {
    return (await this.putConnectorConfig(name, this.patchedConfig(name, patch), { allowReplace: true })).info;
  }

  async deleteConnector(name: string): Promise<void> {
    if (!this.isLeader) {
      await forwardRequest(this.requireLeaderUrl(), 'DELETE', `connectors/${enc(name)}`, undefined, 90_000, this.options.forwardAuthorization);
      await this.options.configStore.readToEnd();
      return;
    }
    await this.serial(async () => {
      this.requireConfig(name);
      const taskCount = this.options.configStore.tasks(name).length;
      await this.options.configStore.removeConnectorConfig(name);
      await this.options.statusStore.destroy(name, Array.from({ length: taskCount }, (_, i) => i));
    });
  }

  async pauseConnector(name: string): Promise<void> {
    this.requireConfig(name);
    await this.options.configStore.putTargetState(name, 'PAUSED');
  }

  async resumeConnector(name: string): Promise<void> {
    this.requireConfig(name);
    await this.options.configStore.putTargetState(name, 'STARTED');
  }

  async stopConnector(name: string): Promise<void> {
    if (!this.isLeader) {
      await forwardRequest(this.requireLeaderUrl(), 'PUT', `connectors/${enc(name)}/stop`, undefined, 90_000, this.options.forwardAuthorization);
      await this.options.configStore.readToEnd();
      return;
    }
    await this.serial(async () => {
      this.requireConfig(name);
      await this.options.configStore.putTaskConfigs(name, []);
      await this.options.configStore.putTargetState(name, 'STOPPED');
    });
  }

  async restartConnector(name: string, request: RestartRequest): Promise<ConnectorStateInfo | null> {
    this.requireConfig(name);
    const legacy = !request.includeTasks && !request.onlyFailed;
    if (!this.isLeader) {
      const q = legacy ? '' : `?includeTasks=${request.includeTasks}&onlyFailed=${request.onlyFailed}`;
      const res = await forwardRequest<ConnectorStateInfo>(this.requireLeaderUrl(), 'POST', `connectors/${enc(name)}/restart${q}`, undefined, 90_000, this.options.forwardAuthorization);
      return legacy ? null : res.body;
    }
    const status = await this.connectorStatus(name).catch(() => null);
    await this.options.configStore.putRestartRequest({ connector: name, includeTasks: request.includeTasks, onlyFailed: request.onlyFailed });
    if (legacy || !status) return null;
    const restartConnector = !request.onlyFailed || status.connector.state === 'FAILED';
    return {
      ...status,
      connector: restartConnector ? { ...status.connector, state: 'RESTARTING', trace: undefined } : status.connector,
      tasks: status.tasks.map((t) =>
        request.includeTasks && (!request.onlyFailed || t.state === 'FAILED') ? { ...t, state: 'RESTARTING', trace: undefined } : t,
      ),
    };
  }

  async restartTask(name: string, task: number): Promise<void> {
    this.requireConfig(name);
    if (this.options.configStore.tasks(name)[task] === undefined) throw new NotFoundError(`Task ${name}-${task} not found`);
    if (this.owned.has(workKey(name, task))) {
      await this.serial(async () => {
        await this.worker.stopTasks([{ connector: name, id: task }], false);
        this.taskFingerprints.delete(`${name}-${task}`);
        this.reconcileTask(name, task);
      });
      return;
    }
    const owner = this.options.statusStore.task(name, task)?.workerId;
    if (!owner) throw new ConnectError(`Task ${name}-${task} is not assigned to any worker yet`, {}, 'REBALANCE_IN_PROGRESS');
    await forwardRequest(`${new URL(this.options.url).protocol}//${owner}/`, 'POST', `connectors/${enc(name)}/tasks/${task}/restart`, undefined, 90_000, this.options.forwardAuthorization);
  }

  async alterConnectorOffsets(name: string, body: ConnectorOffsets): Promise<{ message: string }> {
    if (!this.isLeader) {
      return (await forwardRequest<{ message: string }>(this.requireLeaderUrl(), 'PATCH', `connectors/${enc(name)}/offsets`, body, 90_000, this.options.forwardAuthorization)).body;
    }
    return this.serial(async () => {
      const config = this.requireConfig(name);
      this.requireStoppedForOffsets(name);
      return alterOffsets(this.options, name, config, this.connectorType(config), body.offsets, false);
    });
  }

  async resetConnectorOffsets(name: string): Promise<{ message: string }> {
    if (!this.isLeader) {
      return (await forwardRequest<{ message: string }>(this.requireLeaderUrl(), 'DELETE', `connectors/${enc(name)}/offsets`, undefined, 90_000, this.options.forwardAuthorization)).body;
    }
    return this.serial(async () => {
      const config = this.requireConfig(name);
      this.requireStoppedForOffsets(name);
      return alterOffsets(this.options, name, config, this.connectorType(config), null, true);
    });
  }

  /** For tests and metrics: what this worker runs and whether it leads. */
  describe(): { leader: boolean; leaderUrl: string; generation: number; owned: string[] } {
    return {
      leader: this.isLeader,
      leaderUrl: this.leaderUrl,
      generation: this.generation,
      owned: [...this.owned].map(parseWorkKey).map((w) => (w.task === CONNECTOR_TASK ? w.connector : `${w.connector}-${w.task}`)),
    };
  }
}
