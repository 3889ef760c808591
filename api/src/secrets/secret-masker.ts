import type { ConfigInfos, ConnectorInfo, TaskInfo } from '../herder.js';

/**
 * Names the keys of `config` whose values are secrets (typically from the connector plugin's config
 * schema). Called per response; must not mutate `config`. Throwing fails the request (500) rather
 * than risk echoing a secret.
 */
export type SecretKeys = (config: Record<string, string>) => readonly string[];

/** What a secret value is replaced with in responses (Kafka Connect prints PASSWORD values so). */
export const HIDDEN_VALUE = '[hidden]';

/**
 * Replaces secret values in everything the API echoes. Every method returns a copy and never
 * mutates the herder's objects (they may be its live state).
 */
export interface SecretMasker {
  /** A connector config with the secrets of `config` (and of `context`, if given) hidden. */
  config(config: Record<string, string>, context?: Record<string, string>): Record<string, string>;
  connectorInfo(info: ConnectorInfo): ConnectorInfo;
  /** Task configs, judged against their own keys and the connector's `connectorConfig`. */
  taskInfos(tasks: readonly TaskInfo[], connectorConfig: Record<string, string>): TaskInfo[];
  /** Validation results for `config`: `value.value` of secret keys is hidden. */
  configInfos(infos: ConfigInfos, config: Record<string, string>): ConfigInfos;
  /** False when no `SecretKeys` function was given; callers may skip extra lookups then. */
  readonly enabled: boolean;
}

/** Builds a masker; without `secretKeys` it passes everything through unchanged. */
export function createSecretMasker(secretKeys?: SecretKeys): SecretMasker {
  if (secretKeys === undefined) {
    return {
      enabled: false,
      config: (config) => config,
      connectorInfo: (info) => info,
      taskInfos: (tasks) => [...tasks],
      configInfos: (infos) => infos,
    };
  }
  const keysOf = (...configs: (Record<string, string> | undefined)[]): Set<string> => {
    const keys = new Set<string>();
    for (const config of configs) {
      if (config !== undefined) for (const key of secretKeys(config)) keys.add(key);
    }
    return keys;
  };
  const hide = (config: Record<string, string>, keys: Set<string>): Record<string, string> =>
    Object.fromEntries(Object.entries(config).map(([k, v]) => [k, keys.has(k) ? HIDDEN_VALUE : v]));

  return {
    enabled: true,
    config: (config, context) => hide(config, keysOf(config, context)),
    connectorInfo: (info) => ({ ...info, config: hide(info.config, keysOf(info.config)) }),
    taskInfos: (tasks, connectorConfig) =>
      tasks.map((task) => ({ ...task, config: hide(task.config, keysOf(task.config, connectorConfig)) })),
    configInfos: (infos, config) => {
      const keys = keysOf(config);
      return {
        ...infos,
        configs: infos.configs.map((entry) =>
          entry.value !== null && keys.has(entry.value.name) && entry.value.value !== null
            ? { ...entry, value: { ...entry.value, value: HIDDEN_VALUE } }
            : entry,
        ),
      };
    },
  };
}
