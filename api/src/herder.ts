/**
 * The port the REST API drives. Worker herders (standalone, distributed) implement it. Every shape
 * here is the exact JSON Kafka Connect's REST API returns (snake_case field names included), so the
 * API layer serializes results as they are.
 *
 * Errors: methods throw `@sluice/core` errors and only the API's error handler maps them to HTTP:
 * NOT_FOUND → 404, ALREADY_EXISTS → 409, CONFIG_INVALID / ILLEGAL_STATE / DATA_ERROR → 400,
 * REBALANCE_IN_PROGRESS / NOT_LEADER → 409, UNAUTHORIZED → 401, FORBIDDEN → 403, TIMEOUT → 500,
 * anything else → 500.
 */

export type ConnectorType = 'source' | 'sink' | 'unknown';
export type ConnectorState = 'UNASSIGNED' | 'RUNNING' | 'PAUSED' | 'STOPPED' | 'FAILED' | 'RESTARTING';
export type TargetState = 'STARTED' | 'PAUSED' | 'STOPPED';
/** `initial_state` accepted on create (KIP-980) */
export type InitialState = 'RUNNING' | 'PAUSED' | 'STOPPED';

export interface ConnectorTaskId {
  connector: string;
  task: number;
}

export interface ConnectorInfo {
  name: string;
  config: Record<string, string>;
  tasks: ConnectorTaskId[];
  type: ConnectorType;
}

export interface ConnectorStatusEntry {
  state: ConnectorState;
  worker_id: string;
  trace?: string;
  /** Plugin version of the running instance (Kafka Connect 4.1+, KAFKA-18988); optional. */
  version?: string;
}

export interface TaskStatusEntry extends ConnectorStatusEntry {
  id: number;
}

export interface ConnectorStateInfo {
  name: string;
  connector: ConnectorStatusEntry;
  tasks: TaskStatusEntry[];
  type: ConnectorType;
}

export interface TaskInfo {
  id: ConnectorTaskId;
  config: Record<string, string>;
}

export interface ServerInfo {
  version: string;
  commit: string;
  kafka_cluster_id: string;
}

export interface WorkerHealth {
  status: 'starting' | 'healthy' | 'unhealthy';
  message: string;
}

export interface PluginInfo {
  class: string;
  type: 'source' | 'sink' | 'converter' | 'header_converter' | 'transformation' | 'predicate';
  version?: string;
}

/**
 * A config definition. The REST API writes `order` under Kafka Connect 4.x's JSON key
 * `order_in_group`; every other field is written as named here.
 */
export interface ConfigKeyInfo {
  name: string;
  type: string;
  required: boolean;
  default_value: string | null;
  importance: string;
  documentation: string;
  group: string | null;
  order: number;
  width: string;
  display_name: string;
  dependents: string[];
}

export interface ConfigValueInfo {
  name: string;
  value: string | null;
  recommended_values: string[];
  errors: string[];
  visible: boolean;
}

export interface ConfigInfos {
  name: string;
  error_count: number;
  groups: string[];
  configs: { definition: ConfigKeyInfo | null; value: ConfigValueInfo | null }[];
}

export interface ConnectorOffset {
  partition: Record<string, unknown>;
  offset: Record<string, unknown> | null;
}

export interface ConnectorOffsets {
  offsets: ConnectorOffset[];
}

export interface PutConfigResult {
  created: boolean;
  info: ConnectorInfo;
}

export interface RestartRequest {
  includeTasks: boolean;
  onlyFailed: boolean;
}

export interface LoggerLevel {
  level: string;
  last_modified: number | null;
}

export interface Herder {
  /** advertised `host:port` of this worker */
  workerId(): string;
  health(): WorkerHealth;
  serverInfo(): ServerInfo;

  connectors(): Promise<string[]>;
  connectorInfo(name: string): Promise<ConnectorInfo>;
  /** Raw stored config; the API masks secrets. */
  connectorConfig(name: string): Promise<Record<string, string>>;
  connectorStatus(name: string): Promise<ConnectorStateInfo>;
  taskConfigs(name: string): Promise<TaskInfo[]>;
  taskStatus(name: string, task: number): Promise<TaskStatusEntry>;

  /**
   * Create (`allowReplace` false → ALREADY_EXISTS if present) or create-or-replace. Validates first;
   * invalid → ConfigValidationError whose message lists every error.
   */
  putConnectorConfig(
    name: string,
    config: Record<string, string>,
    options: { allowReplace: boolean; initialState?: InitialState },
  ): Promise<PutConfigResult>;
  /** Applies a partial config (a null value removes the key); NOT_FOUND if the connector is absent. */
  patchConnectorConfig(name: string, patch: Record<string, string | null>): Promise<ConnectorInfo>;
  deleteConnector(name: string): Promise<void>;
  pauseConnector(name: string): Promise<void>;
  resumeConnector(name: string): Promise<void>;
  stopConnector(name: string): Promise<void>;
  /** Legacy restart (both flags false) resolves null (→ 204); otherwise the plan (→ 202). */
  restartConnector(name: string, request: RestartRequest): Promise<ConnectorStateInfo | null>;
  restartTask(name: string, task: number): Promise<void>;

  validateConnectorConfig(config: Record<string, string>): Promise<ConfigInfos>;
  connectorPlugins(connectorsOnly: boolean): PluginInfo[];
  /** NOT_FOUND for an unknown plugin. */
  pluginConfig(plugin: string): ConfigKeyInfo[];

  /** Active topics per connector (KIP-558); absent = topic tracking not supported (→ 403). */
  connectorTopics?(name: string): Promise<Record<string, { topics: string[] }>>;
  resetConnectorTopics?(name: string): Promise<void>;

  /** Log levels (KIP-495); absent = not supported (→ 404). */
  loggers?(): Record<string, LoggerLevel>;
  /** Sets a level; `worker` scope answers the affected logger names, `cluster` scope null (→ 204). */
  setLoggerLevel?(name: string, level: string, scope: 'worker' | 'cluster'): Promise<string[] | null>;

  /**
   * Internal (KIP-507 signed, leader only): stores the task configs a follower's connector generated.
   * Absent = this worker does not accept forwarded task configs (→ 404). NOT_LEADER when not leader.
   */
  putTaskConfigs?(name: string, configs: Record<string, string>[]): Promise<void>;
  /**
   * Internal (KIP-618, signed, leader only): fences zombie tasks of a source connector before its
   * new generation starts. Absent = exactly-once source support is not offered (→ 404).
   */
  fenceZombies?(name: string): Promise<void>;

  connectorOffsets(name: string): Promise<ConnectorOffsets>;
  alterConnectorOffsets(name: string, offsets: ConnectorOffsets): Promise<{ message: string }>;
  resetConnectorOffsets(name: string): Promise<{ message: string }>;
}
