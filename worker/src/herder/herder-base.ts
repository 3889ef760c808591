import type {
  ConfigInfos,
  ConfigKeyInfo,
  ConnectorInfo,
  ConnectorOffsets,
  ConnectorStateInfo,
  ConnectorType,
  InitialState,
  PluginInfo,
  ServerInfo,
  TaskInfo,
  TaskStatusEntry,
} from '@sluice/api';
import type { ConfigSchema, Logger } from '@sluice/core';
import { AlreadyExistsError, ConfigValidationError, ConnectError, describeConfig, IllegalStateError, NotFoundError } from '@sluice/core';
import type { Log } from '../log/log.js';
import type { PluginRegistry } from '../plugins/plugin-registry.js';
import type { ConfigStore } from '../storage/config-store.js';
import type { OffsetStore } from '../storage/offset-store.js';
import type { StatusStore } from '../storage/status-store.js';
import { SLUICE_VERSION } from '../version.js';
import { invalidConfigMessage, validateConnectorConfig } from './connector-config-def.js';
import type { TargetState } from '../storage/config-store.js';
import type { KafkaLevel, LogLevels } from '../logging/log-levels.js';

export interface HerderStores {
  log: Log;
  registry: PluginRegistry;
  configStore: ConfigStore;
  offsetStore: OffsetStore;
  statusStore: StatusStore;
  logger: Logger;
  workerId: string;
  clusterId: string;
  /** worker settings the read side needs (topic tracking switches) */
  workerConfig?: Readonly<Record<string, string>>;
  /** runtime log levels (`/admin/loggers`); absent = the endpoints answer 404 */
  logLevels?: LogLevels;
}

/**
 * Read-side behaviour shared by the standalone and distributed herders: answers are built from the
 * local view of the config and status topics (reads are never forwarded, as in Kafka Connect).
 */
export abstract class HerderBase {
  protected readonly stores: HerderStores;

  constructor(stores: HerderStores) {
    this.stores = stores;
  }

  workerId(): string {
    return this.stores.workerId;
  }

  serverInfo(): ServerInfo {
    return { version: SLUICE_VERSION, commit: process.env['SLUICE_COMMIT'] ?? 'unknown', kafka_cluster_id: this.stores.clusterId };
  }

  protected requireConfig(name: string): Record<string, string> {
    const config = this.stores.configStore.connectorConfig(name);
    if (!config) throw new NotFoundError(`Connector ${name} not found`);
    return config;
  }

  protected connectorType(config: Record<string, string>): ConnectorType {
    const plugin = this.stores.registry.find(config['connector.class'] ?? '', 'source', 'sink');
    return plugin?.type ?? 'unknown';
  }

  async connectors(): Promise<string[]> {
    return this.stores.configStore.connectors();
  }

  async connectorInfo(name: string): Promise<ConnectorInfo> {
    const config = this.requireConfig(name);
    const tasks = this.stores.configStore.tasks(name).map((_, task) => ({ connector: name, task }));
    return { name, config: { ...config }, tasks, type: this.connectorType(config) };
  }

  async connectorConfig(name: string): Promise<Record<string, string>> {
    return { ...this.requireConfig(name) };
  }

  /** Plugin version reported in statuses (Kafka Connect 4.1+); undefined for an unknown class. */
  protected pluginVersion(config: Record<string, string>): string | undefined {
    return this.stores.registry.find(config['connector.class'] ?? '', 'source', 'sink')?.version;
  }

  async connectorStatus(name: string): Promise<ConnectorStateInfo> {
    const config = this.stores.configStore.connectorConfig(name);
    const status = this.stores.statusStore.connector(name);
    if (!config || !status) throw new NotFoundError(`No status found for connector ${name}`);
    const version = this.pluginVersion(config);
    const taskCount = this.stores.configStore.tasks(name).length;
    const tasks: TaskStatusEntry[] = [];
    for (const [id, s] of [...this.stores.statusStore.taskStatuses(name)].sort(([a], [b]) => a - b)) {
      if (id >= taskCount) continue;
      tasks.push({ id, state: s.state, worker_id: s.workerId, ...(version ? { version } : {}), ...(s.trace ? { trace: s.trace } : {}) });
    }
    return {
      name,
      connector: {
        state: status.state,
        worker_id: status.workerId,
        ...(version ? { version } : {}),
        ...(status.trace ? { trace: status.trace } : {}),
      },
      tasks,
      type: this.connectorType(config),
    };
  }

  async taskConfigs(name: string): Promise<TaskInfo[]> {
    this.requireConfig(name);
    return this.stores.configStore.tasks(name).map((config, task) => ({ id: { connector: name, task }, config: { ...config } }));
  }

  async taskStatus(name: string, task: number): Promise<TaskStatusEntry> {
    const s = this.stores.statusStore.task(name, task);
    if (!this.stores.configStore.connectorConfig(name) || !s || task >= this.stores.configStore.tasks(name).length) {
      throw new NotFoundError(`No status found for task ${name}-${task}`);
    }
    const version = this.pluginVersion(this.stores.configStore.connectorConfig(name)!);
    return { id: task, state: s.state, worker_id: s.workerId, ...(version ? { version } : {}), ...(s.trace ? { trace: s.trace } : {}) };
  }

  async validateConnectorConfig(config: Record<string, string>): Promise<ConfigInfos> {
    return (await validateConnectorConfig(this.stores.registry, config)).infos;
  }

  connectorPlugins(connectorsOnly: boolean): PluginInfo[] {
    return this.stores.registry
      .all()
      .filter((p) => !connectorsOnly || p.type === 'source' || p.type === 'sink')
      .map((p) => ({ class: p.className, type: p.type, ...(p.version && p.version !== 'undefined' ? { version: p.version } : {}) }))
      .sort((a, b) => a.class.localeCompare(b.class));
  }

  pluginConfig(pluginName: string): ConfigKeyInfo[] {
    const plugin = this.stores.registry.find(pluginName);
    if (!plugin) throw new NotFoundError(`Unknown plugin ${pluginName}.`);
    const schema =
      plugin.type === 'source' || plugin.type === 'sink'
        ? plugin.create().configSchema()
        : (plugin as { configSchema?: () => ConfigSchema }).configSchema?.();
    if (!schema) return [];
    return describeConfig(schema).map((d) => ({
      name: d.name,
      type: d.type,
      required: d.required,
      default_value: d.defaultValue,
      importance: d.importance,
      documentation: d.documentation,
      group: d.group,
      order: d.order,
      width: d.width,
      display_name: d.displayName,
      dependents: d.dependents,
    }));
  }

  async connectorOffsets(name: string): Promise<ConnectorOffsets> {
    const config = this.requireConfig(name);
    if (this.connectorType(config) === 'sink') {
      const group = config['consumer.override.group.id'] ?? `connect-${name}`;
      const offsets = await this.stores.log.fetchGroupOffsets(group);
      return {
        offsets: offsets.map((o) => ({
          partition: { kafka_topic: o.topic, kafka_partition: o.partition },
          offset: { kafka_offset: o.offset },
        })),
      };
    }
    // Another worker may have written them a moment ago: answer from the end of the offsets topic.
    const store = await this.stores.offsetStore.forConnector(config);
    await store.readToEnd();
    return {
      offsets: store.all(name).map((e) => ({ partition: { ...e.partition }, offset: e.offset ? { ...e.offset } : null })),
    };
  }

  /** Active topics (KIP-558); 403 through the API when `topic.tracking.enable=false`. */
  async connectorTopics(name: string): Promise<Record<string, { topics: string[] }>> {
    this.requireConfig(name);
    if (this.workerSetting('topic.tracking.enable', 'true') === 'false') {
      throw new ConnectError('Topic tracking is disabled.', {}, 'FORBIDDEN');
    }
    return { [name]: { topics: this.stores.statusStore.activeTopics(name) } };
  }

  async resetConnectorTopics(name: string): Promise<void> {
    this.requireConfig(name);
    if (this.workerSetting('topic.tracking.enable', 'true') === 'false') throw new ConnectError('Topic tracking is disabled.', {}, 'FORBIDDEN');
    if (this.workerSetting('topic.tracking.allow.reset', 'true') === 'false') {
      throw new ConnectError('Topic tracking reset is disabled.', {}, 'FORBIDDEN');
    }
    await this.stores.statusStore.resetTopics(name);
  }

  protected workerSetting(key: string, dflt: string): string {
    return this.stores.workerConfig?.[key] ?? dflt;
  }

  /** Loggers with an explicit level (KIP-495). */
  loggers(): Record<string, { level: string; last_modified: number | null }> {
    return this.stores.logLevels?.all() ?? {};
  }

  /** Worker scope applies here and answers the changed names; cluster scope goes through the config topic (KIP-976). */
  async setLoggerLevel(name: string, level: string, scope: 'worker' | 'cluster'): Promise<string[] | null> {
    if (scope === 'cluster') {
      await this.stores.configStore.putLoggerLevel(name, level);
      return null;
    }
    return this.stores.logLevels?.set(name, level as KafkaLevel) ?? [];
  }

  /** Applies a cluster-scope level read from the config topic. */
  protected applyClusterLoggerLevel(namespace: string, level: string): void {
    this.stores.logLevels?.set(namespace, level as KafkaLevel);
  }

  /**
   * Validates a full connector config (as the validate endpoint reports it) and writes it, with the
   * initial target state on create. Throws ConfigValidationError listing every error, or
   * AlreadyExistsError when `allowReplace` is false and the connector exists. Returns whether it
   * was created.
   */
  protected async validateAndWriteConfig(
    name: string,
    full: Record<string, string>,
    options: { allowReplace: boolean; initialState?: InitialState },
  ): Promise<boolean> {
    const { infos } = await validateConnectorConfig(this.stores.registry, full);
    if (infos.error_count > 0) {
      const fields = infos.configs
        .filter((c) => c.value && c.value.errors.length > 0)
        .map((c) => ({ name: c.value!.name, errors: c.value!.errors }));
      throw new ConfigValidationError(invalidConfigMessage(infos), fields);
    }
    const existed = this.stores.configStore.connectorConfig(name) !== undefined;
    if (existed && !options.allowReplace) throw new AlreadyExistsError(`Connector ${name} already exists`);
    const target: TargetState | undefined =
      options.initialState === undefined ? undefined : options.initialState === 'RUNNING' ? 'STARTED' : options.initialState;
    await this.stores.configStore.putConnectorConfig(name, full, existed ? undefined : target);
    return !existed;
  }

  /** The config a PATCH produces: the current one with the patch applied (null removes a key). */
  protected patchedConfig(name: string, patch: Record<string, string | null>): Record<string, string> {
    const next: Record<string, string> = { ...this.requireConfig(name) };
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete next[k];
      else next[k] = v;
    }
    return next;
  }

  protected requireStoppedForOffsets(name: string): void {
    if (this.stores.configStore.targetState(name) !== 'STOPPED' || this.stores.configStore.tasks(name).length > 0) {
      throw new IllegalStateError(
        'Connectors must be in the STOPPED state before their offsets can be modified. This can be done ' +
          `for the specified connector by issuing a 'PUT' request to the '/connectors/${name}/stop' endpoint`,
      );
    }
  }
}
