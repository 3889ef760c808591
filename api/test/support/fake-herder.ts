import { AlreadyExistsError, ConfigValidationError, IllegalStateError, NotFoundError, type Logger } from '@sluice/core';
import type {
  ConfigInfos,
  ConfigKeyInfo,
  ConnectorInfo,
  ConnectorOffset,
  ConnectorOffsets,
  ConnectorStateInfo,
  ConnectorType,
  Herder,
  InitialState,
  PluginInfo,
  PutConfigResult,
  RestartRequest,
  ServerInfo,
  TargetState,
  TaskInfo,
  TaskStatusEntry,
  WorkerHealth,
} from '../../src/herder.js';

/**
 * An in-memory Herder for the API's unit tests: a connector is a config, a target state and one
 * task config per `tasks.max`. It records every call and can be told to throw from any method.
 */
interface FakeConnector {
  config: Record<string, string>;
  target: TargetState;
  tasks: Record<string, string>[];
  offsets: ConnectorOffset[];
}

export const WORKER_ID = '127.0.0.1:8083';

const PLUGINS: PluginInfo[] = [
  { class: 'org.apache.kafka.connect.file.FileStreamSourceConnector', type: 'source', version: '0.1.0' },
  { class: 'org.apache.kafka.connect.file.FileStreamSinkConnector', type: 'sink', version: '0.1.0' },
  { class: 'org.apache.kafka.connect.json.JsonConverter', type: 'converter' },
];

const FILE_KEYS: ConfigKeyInfo[] = [
  {
    name: 'file',
    type: 'STRING',
    required: false,
    default_value: null,
    importance: 'HIGH',
    documentation: 'Source filename.',
    group: null,
    order: -1,
    width: 'NONE',
    display_name: 'file',
    dependents: [],
  },
];

type Method = keyof Herder;

export class FakeHerder implements Herder {
  readonly connectorMap = new Map<string, FakeConnector>();
  readonly calls: { method: Method; args: unknown[] }[] = [];
  healthValue: WorkerHealth = {
    status: 'healthy',
    message: 'Worker has completed startup and is ready to handle requests.',
  };
  /** Connectors that disappear after `connectors()` listed them (simulates a concurrent delete). */
  readonly vanishing = new Set<string>();
  private readonly failures = new Map<Method, unknown>();

  /** Makes every later call of `method` throw `err`. */
  failWith(method: Method, err: unknown): this {
    this.failures.set(method, err);
    return this;
  }

  /** Adds a connector directly (bypassing validation), with one task config per `tasks.max`. */
  seed(name: string, config: Record<string, string>, target: TargetState = 'STARTED'): this {
    const full = { ...config, name };
    this.connectorMap.set(name, { config: full, target, tasks: taskConfigsFor(full), offsets: [] });
    return this;
  }

  callsOf(method: Method): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  protected enter(method: Method, ...args: unknown[]): void {
    this.calls.push({ method, args });
    const failure = this.failures.get(method);
    if (failure !== undefined) throw failure;
  }

  protected get(name: string, message = `Connector ${name} not found`): FakeConnector {
    const connector = this.vanishing.has(name) ? undefined : this.connectorMap.get(name);
    if (connector === undefined) throw new NotFoundError(message, { context: { connector: name } });
    return connector;
  }

  workerId(): string {
    return WORKER_ID;
  }
  health(): WorkerHealth {
    this.enter('health');
    return this.healthValue;
  }
  serverInfo(): ServerInfo {
    this.enter('serverInfo');
    return { version: '0.1.0', commit: 'abc123', kafka_cluster_id: 'standalone' };
  }

  async connectors(): Promise<string[]> {
    this.enter('connectors');
    return [...this.connectorMap.keys()];
  }
  async connectorInfo(name: string): Promise<ConnectorInfo> {
    this.enter('connectorInfo', name);
    return infoOf(name, this.get(name));
  }
  async connectorConfig(name: string): Promise<Record<string, string>> {
    this.enter('connectorConfig', name);
    return this.get(name).config;
  }
  async connectorStatus(name: string): Promise<ConnectorStateInfo> {
    this.enter('connectorStatus', name);
    const connector = this.get(name, `No status found for connector ${name}`);
    const state = connector.target === 'STARTED' ? 'RUNNING' : connector.target;
    return {
      name,
      connector: { state, worker_id: WORKER_ID },
      tasks: connector.tasks.map((_, id) => ({ id, state, worker_id: WORKER_ID })),
      type: typeOf(connector.config),
    };
  }
  async taskConfigs(name: string): Promise<TaskInfo[]> {
    this.enter('taskConfigs', name);
    return this.get(name).tasks.map((config, task) => ({ id: { connector: name, task }, config }));
  }
  async taskStatus(name: string, task: number): Promise<TaskStatusEntry> {
    this.enter('taskStatus', name, task);
    const connector = this.get(name, `No status found for task ${name}-${task}`);
    if (task >= connector.tasks.length) throw new NotFoundError(`No status found for task ${name}-${task}`);
    return { id: task, state: connector.target === 'STARTED' ? 'RUNNING' : connector.target, worker_id: WORKER_ID };
  }

  async putConnectorConfig(
    name: string,
    config: Record<string, string>,
    options: { allowReplace: boolean; initialState?: InitialState },
  ): Promise<PutConfigResult> {
    this.enter('putConnectorConfig', name, config, options);
    const existing = this.connectorMap.get(name);
    if (existing !== undefined && !options.allowReplace)
      throw new AlreadyExistsError(`Connector ${name} already exists`);
    const infos = await this.check(config);
    if (infos.error_count > 0) {
      throw new ConfigValidationError(
        `Connector configuration is invalid and contains the following ${infos.error_count} error(s):\n` +
          infos.configs.flatMap((c) => c.value?.errors ?? []).join('\n'),
      );
    }
    const target: TargetState =
      existing?.target ??
      (options.initialState === undefined || options.initialState === 'RUNNING' ? 'STARTED' : options.initialState);
    const tasks = taskConfigsFor(config);
    this.connectorMap.set(name, { config, target, tasks, offsets: existing?.offsets ?? [] });
    // As in Kafka Connect, a fresh connector reports no tasks until they have been generated.
    return {
      created: existing === undefined,
      info: infoOf(name, { config, tasks: existing === undefined ? [] : tasks }),
    };
  }
  async patchConnectorConfig(name: string, patch: Record<string, string | null>): Promise<ConnectorInfo> {
    this.enter('patchConnectorConfig', name, patch);
    const connector = this.get(name);
    const config = { ...connector.config };
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) delete config[key];
      else config[key] = value;
    }
    const result = await this.putConnectorConfig(name, config, { allowReplace: true });
    return result.info;
  }
  async deleteConnector(name: string): Promise<void> {
    this.enter('deleteConnector', name);
    this.get(name);
    this.connectorMap.delete(name);
  }
  async pauseConnector(name: string): Promise<void> {
    this.enter('pauseConnector', name);
    this.get(name, `Unknown connector ${name}`).target = 'PAUSED';
  }
  async resumeConnector(name: string): Promise<void> {
    this.enter('resumeConnector', name);
    this.get(name, `Unknown connector ${name}`).target = 'STARTED';
  }
  async stopConnector(name: string): Promise<void> {
    this.enter('stopConnector', name);
    const connector = this.get(name);
    connector.target = 'STOPPED';
    connector.tasks = [];
  }
  async restartConnector(name: string, request: RestartRequest): Promise<ConnectorStateInfo | null> {
    this.enter('restartConnector', name, request);
    const connector = this.get(name, `Unknown connector: ${name}`);
    if (!request.includeTasks && !request.onlyFailed) return null;
    // Nothing in the fake ever fails, so onlyFailed restarts nothing but still reports the plan.
    const restarting = !request.onlyFailed;
    const state = connector.target === 'STARTED' ? 'RUNNING' : connector.target;
    return {
      name,
      connector: { state: restarting ? 'RESTARTING' : state, worker_id: WORKER_ID },
      tasks: connector.tasks.map((_, id) => ({
        id,
        state: restarting && request.includeTasks ? 'RESTARTING' : state,
        worker_id: WORKER_ID,
      })),
      type: typeOf(connector.config),
    };
  }
  async restartTask(name: string, task: number): Promise<void> {
    this.enter('restartTask', name, task);
    const connector = this.get(name);
    if (task >= connector.tasks.length) throw new NotFoundError(`Unknown task: ${name}-${task}`);
  }

  async validateConnectorConfig(config: Record<string, string>): Promise<ConfigInfos> {
    this.enter('validateConnectorConfig', config);
    return this.check(config);
  }
  connectorPlugins(connectorsOnly: boolean): PluginInfo[] {
    this.enter('connectorPlugins', connectorsOnly);
    return PLUGINS.filter((p) => !connectorsOnly || p.type === 'source' || p.type === 'sink');
  }
  pluginConfig(plugin: string): ConfigKeyInfo[] {
    this.enter('pluginConfig', plugin);
    if (!PLUGINS.some((p) => p.class === plugin || p.class.endsWith(`.${plugin}`))) {
      throw new NotFoundError(`Unknown plugin ${plugin}.`);
    }
    return FILE_KEYS;
  }

  async connectorOffsets(name: string): Promise<ConnectorOffsets> {
    this.enter('connectorOffsets', name);
    return { offsets: this.get(name).offsets };
  }
  async alterConnectorOffsets(name: string, offsets: ConnectorOffsets): Promise<{ message: string }> {
    this.enter('alterConnectorOffsets', name, offsets);
    const connector = this.stopped(name);
    connector.offsets = offsets.offsets.filter((o) => o.offset !== null);
    return { message: 'The offsets for this connector have been altered successfully' };
  }
  async resetConnectorOffsets(name: string): Promise<{ message: string }> {
    this.enter('resetConnectorOffsets', name);
    this.stopped(name).offsets = [];
    return { message: 'The offsets for this connector have been reset successfully' };
  }

  private stopped(name: string): FakeConnector {
    const connector = this.get(name);
    if (connector.target !== 'STOPPED') {
      throw new IllegalStateError(
        'Connectors must be in the STOPPED state before their offsets can be modified. This can be done ' +
          'for the specified connector by issuing a PUT request to the /connectors/' +
          name +
          '/stop endpoint',
      );
    }
    return connector;
  }

  /** The fake's "connector validation": `connector.class` must name a known plugin, `tasks.max` be numeric. */
  private async check(config: Record<string, string>): Promise<ConfigInfos> {
    const connectorClass = config['connector.class'] ?? '';
    const configs = Object.entries(config).map(([key, value]) => {
      const errors: string[] = [];
      if (key === 'tasks.max' && !/^\d+$/.test(value))
        errors.push(`Invalid value ${value} for configuration tasks.max: Not a number of type INT`);
      if (key === 'connector.class' && !PLUGINS.some((p) => p.class === value || p.class.endsWith(`.${value}`))) {
        errors.push(`Failed to find any class that implements Connector and which name matches ${value}`);
      }
      return {
        definition: null,
        value: { name: key, value, recommended_values: [], errors, visible: true },
      };
    });
    if (connectorClass === '') {
      configs.push({
        definition: null,
        value: {
          name: 'connector.class',
          value: '',
          recommended_values: [],
          errors: ['Missing required configuration "connector.class" which has no default value.'],
          visible: true,
        },
      });
    }
    const errorCount = configs.reduce((n, c) => n + c.value.errors.length, 0);
    return { name: connectorClass, error_count: errorCount, groups: ['Common'], configs };
  }
}

function typeOf(config: Record<string, string>): ConnectorType {
  const cls = config['connector.class'] ?? '';
  return cls.includes('Source') ? 'source' : cls.includes('Sink') ? 'sink' : 'unknown';
}

function taskConfigsFor(config: Record<string, string>): Record<string, string>[] {
  const count = Number(config['tasks.max'] ?? '1');
  return Array.from({ length: count }, (_, i) => ({ ...config, 'task.index': String(i) }));
}

function infoOf(name: string, connector: Pick<FakeConnector, 'config' | 'tasks'>): ConnectorInfo {
  return {
    name,
    config: connector.config,
    tasks: connector.tasks.map((_, task) => ({ connector: name, task })),
    type: typeOf(connector.config),
  };
}

/** A logger that keeps every entry, for asserting what the API logs. */
export class RecordingLogger implements Logger {
  readonly entries: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  trace(msg: string, fields?: Record<string, unknown>): void {
    this.entries.push({ level: 'trace', msg, fields });
  }
  debug(msg: string, fields?: Record<string, unknown>): void {
    this.entries.push({ level: 'debug', msg, fields });
  }
  info(msg: string, fields?: Record<string, unknown>): void {
    this.entries.push({ level: 'info', msg, fields });
  }
  warn(msg: string, fields?: Record<string, unknown>): void {
    this.entries.push({ level: 'warn', msg, fields });
  }
  error(msg: string, fields?: Record<string, unknown>): void {
    this.entries.push({ level: 'error', msg, fields });
  }
  child(): Logger {
    return this;
  }
}
