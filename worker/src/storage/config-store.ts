import type { Logger } from '@sluice/core';
import { noopLogger } from '@sluice/core';
import type { Log, LogRecord } from '../log/log.js';
import { InternalTopic } from './internal-topic.js';

export type TargetState = 'STARTED' | 'PAUSED' | 'STOPPED';
export type Config = Record<string, string>;

export interface RestartRequest {
  connector: string;
  includeTasks: boolean;
  onlyFailed: boolean;
}

/** Notifications delivered while reading the config topic (on the tail loop, in log order). */
export interface ConfigListener {
  onConnectorConfigUpdate?(connector: string): void;
  onConnectorConfigRemove?(connector: string): void;
  onTaskConfigUpdate?(connector: string): void;
  onTargetStateChange?(connector: string): void;
  onRestartRequest?(request: RestartRequest): void;
  onLoggerLevel?(namespace: string, level: string): void;
}

export interface ConfigStoreOptions {
  log: Log;
  topic: string;
  replicationFactor?: number;
  /** topic-level configs for creation (cleanup.policy is always forced to compact) */
  topicConfigs?: Record<string, string>;
  requireCompaction?: boolean;
  logger?: Logger;
}

const enc = (value: unknown): Buffer => Buffer.from(JSON.stringify(value), 'utf8');

/**
 * The connector config store on the config topic, with Kafka Connect's record formats
 * (reference/kafka-connect.md §4.1): `connector-<n>`, `task-<n>-<i>` + `commit-<n>`,
 * `target-state-<n>`, `restart-connector-<n>`, `logger-cluster-<ns>`. Task configs are applied only
 * when their commit record arrives with a complete set, so readers never see half a generation.
 */
export class ConfigStore {
  private readonly topic: InternalTopic;
  private readonly logger: Logger;
  private readonly connectorConfigs = new Map<string, Config>();
  private readonly taskConfigs = new Map<string, Config[]>();
  private readonly deferredTasks = new Map<string, Map<number, Config>>();
  private readonly targetStates = new Map<string, TargetState>();
  private readonly inconsistent = new Set<string>();
  private listener: ConfigListener = {};
  private session: { key: Buffer; algorithm: string; createdMs: number } | null = null;
  private started = false;
  /** offset of the last record applied (the "config offset" of Kafka Connect's snapshots) */
  private lastOffset = -1;

  constructor(options: ConfigStoreOptions) {
    this.logger = options.logger ?? noopLogger;
    this.topic = new InternalTopic({
      log: options.log,
      topic: {
        name: options.topic,
        partitions: 1,
        replicationFactor: options.replicationFactor ?? -1,
        configs: { ...options.topicConfigs, 'cleanup.policy': 'compact' },
      },
      requireCompaction: options.requireCompaction ?? true,
      requirePartitions: 1,
      logger: this.logger,
      onRecord: (r) => this.apply(r),
    });
  }

  setListener(listener: ConfigListener): void {
    this.listener = listener;
  }

  async start(): Promise<void> {
    await this.topic.start();
    this.started = true;
  }

  async stop(): Promise<void> {
    await this.topic.stop();
  }

  readToEnd(): Promise<void> {
    return this.topic.readToEnd();
  }

  get offset(): number {
    return this.lastOffset;
  }

  connectors(): string[] {
    return [...this.connectorConfigs.keys()].sort();
  }

  connectorConfig(name: string): Config | undefined {
    return this.connectorConfigs.get(name);
  }

  /** Committed task configs (empty when stopped or not generated yet). */
  tasks(name: string): Config[] {
    return this.taskConfigs.get(name) ?? [];
  }

  targetState(name: string): TargetState {
    return this.targetStates.get(name) ?? 'STARTED';
  }

  isInconsistent(name: string): boolean {
    return this.inconsistent.has(name);
  }

  /** Writes `target-state-*` first when given (KIP-980), then the connector config; reads back. */
  async putConnectorConfig(name: string, config: Config, targetState?: TargetState): Promise<void> {
    if (targetState) await this.topic.send(`target-state-${name}`, this.targetStateValue(targetState));
    await this.topic.send(`connector-${name}`, enc({ properties: config }));
    await this.topic.readToEnd();
  }

  /** Tombstones the connector config and its target state. Task records are left (as Kafka Connect). */
  async removeConnectorConfig(name: string): Promise<void> {
    await this.topic.send(`connector-${name}`, null);
    await this.topic.send(`target-state-${name}`, null);
    await this.topic.readToEnd();
  }

  /** Writes a new generation of task configs: all `task-*` records, then `commit-*` (reference §4.1). */
  async putTaskConfigs(name: string, configs: readonly Config[]): Promise<void> {
    await this.topic.readToEnd();
    for (let i = 0; i < configs.length; i++) {
      await this.topic.send(`task-${name}-${i}`, enc({ properties: configs[i] }));
    }
    await this.topic.readToEnd();
    await this.topic.send(`commit-${name}`, enc({ tasks: configs.length }));
    await this.topic.readToEnd();
  }

  async putTargetState(name: string, state: TargetState): Promise<void> {
    await this.topic.send(`target-state-${name}`, this.targetStateValue(state));
    await this.topic.readToEnd();
  }

  /** The current inter-worker session key (KIP-507), or null before the leader published one. */
  sessionKey(): { key: Buffer; algorithm: string; createdMs: number } | null {
    return this.session;
  }

  /** Publishes a new session key (leader only). */
  async putSessionKey(key: Buffer, algorithm: string): Promise<void> {
    await this.topic.send('session-key', enc({ key: key.toString('base64'), algorithm, 'creation-timestamp': Date.now() }));
    await this.topic.readToEnd();
  }

  async putRestartRequest(request: RestartRequest): Promise<void> {
    await this.topic.send(
      `restart-connector-${request.connector}`,
      enc({ 'include-tasks': request.includeTasks, 'only-failed': request.onlyFailed }),
    );
    await this.topic.readToEnd();
  }

  async putLoggerLevel(namespace: string, level: string): Promise<void> {
    await this.topic.send(`logger-cluster-${namespace}`, enc({ level }));
    await this.topic.readToEnd();
  }

  private targetStateValue(state: TargetState): Buffer {
    // `state` must stay readable by workers that predate STOPPED, which they see as PAUSED.
    return enc({ state: state === 'STOPPED' ? 'PAUSED' : state, 'state.v2': state });
  }

  private apply(record: LogRecord): void {
    this.lastOffset = record.offset;
    const key = record.key?.toString('utf8') ?? '';
    const value = record.value === null ? null : (JSON.parse(record.value.toString('utf8')) as Record<string, unknown>);
    if (key.startsWith('connector-')) {
      const name = key.slice('connector-'.length);
      if (value === null) {
        this.connectorConfigs.delete(name);
        this.taskConfigs.delete(name);
        this.deferredTasks.delete(name);
        this.targetStates.delete(name);
        this.inconsistent.delete(name);
        this.listener.onConnectorConfigRemove?.(name);
      } else {
        this.connectorConfigs.set(name, stringMap(value['properties']));
        this.listener.onConnectorConfigUpdate?.(name);
      }
    } else if (key.startsWith('task-')) {
      // Connector names may contain dashes: the task id follows the last one.
      const rest = key.slice('task-'.length);
      const dash = rest.lastIndexOf('-');
      const name = rest.slice(0, dash);
      const id = Number(rest.slice(dash + 1));
      if (dash <= 0 || !Number.isInteger(id) || value === null) return;
      let deferred = this.deferredTasks.get(name);
      if (!deferred) this.deferredTasks.set(name, (deferred = new Map()));
      deferred.set(id, stringMap(value['properties']));
    } else if (key.startsWith('commit-')) {
      const name = key.slice('commit-'.length);
      const count = value === null ? 0 : Number(value['tasks']);
      if (!this.connectorConfigs.has(name)) {
        // The connector was deleted and compacted away: drop its buffered task configs.
        this.deferredTasks.delete(name);
        return;
      }
      const deferred = this.deferredTasks.get(name) ?? new Map<number, Config>();
      const complete = Array.from({ length: count }, (_, i) => deferred.get(i));
      if (complete.some((c) => c === undefined) && count > 0 && this.started) {
        this.logger.warn('Ignoring task config commit with missing task configs', { connector: name, count });
        this.inconsistent.add(name);
        return;
      }
      if (complete.some((c) => c === undefined)) {
        // During the initial read, compaction may have removed superseded task records; keep what exists.
        const existing = this.taskConfigs.get(name) ?? [];
        this.taskConfigs.set(name, complete.map((c, i) => c ?? existing[i] ?? {}));
      } else {
        this.taskConfigs.set(name, complete as Config[]);
      }
      this.inconsistent.delete(name);
      this.deferredTasks.delete(name);
      this.listener.onTaskConfigUpdate?.(name);
    } else if (key.startsWith('target-state-')) {
      const name = key.slice('target-state-'.length);
      if (value === null) {
        this.targetStates.delete(name);
      } else {
        const raw = String(value['state.v2'] ?? value['state'] ?? 'STARTED');
        const state: TargetState = raw === 'PAUSED' || raw === 'STOPPED' ? raw : 'STARTED';
        this.targetStates.set(name, state);
      }
      this.listener.onTargetStateChange?.(name);
    } else if (key === 'session-key') {
      if (value === null) return;
      this.session = {
        key: Buffer.from(String(value['key'] ?? ''), 'base64'),
        algorithm: String(value['algorithm'] ?? 'HmacSHA256'),
        createdMs: Number(value['creation-timestamp'] ?? 0),
      };
    } else if (key.startsWith('restart-connector-')) {
      if (value === null || !this.started) return; // processed only after startup, as Kafka Connect
      this.listener.onRestartRequest?.({
        connector: key.slice('restart-connector-'.length),
        includeTasks: value['include-tasks'] === true,
        onlyFailed: value['only-failed'] === true,
      });
    } else if (key.startsWith('logger-cluster-')) {
      if (value === null || !this.started) return;
      this.listener.onLoggerLevel?.(key.slice('logger-cluster-'.length), String(value['level']));
    }
  }
}

function stringMap(raw: unknown): Config {
  const out: Config = {};
  if (raw && typeof raw === 'object') {
    for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
      if (v !== null && v !== undefined) out[k] = String(v);
    }
  }
  return out;
}
