import { listValue } from './transformation-chain.js';

export interface TopicCreationSettings {
  partitions: number;
  replicationFactor: number;
  configs: Record<string, string>;
  /** the group that matched: `default` or a name from `topic.creation.groups` */
  group: string;
}

/**
 * Kafka Connect's topic creation rules for source connectors (KIP-158): the first group in
 * `topic.creation.groups` whose `include` regexes match the topic (and whose `exclude` regexes do
 * not; exclude wins) supplies partitions, replication factor and topic configs, each falling back to
 * the `default` group, which matches every topic. Returns null when the connector sets no
 * `topic.creation.*` key (topic creation is not configured for it).
 */
export function topicCreationFor(topic: string, config: Readonly<Record<string, string>>): TopicCreationSettings | null {
  if (!Object.keys(config).some((k) => k.startsWith('topic.creation.'))) return null;
  const groupKeys = (group: string) => {
    const prefix = `topic.creation.${group}.`;
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(config)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
    return out;
  };
  const matches = (patterns: string | undefined) =>
    listValue(patterns).some((p) => {
      try {
        return new RegExp(`^(?:${p})$`).test(topic);
      } catch {
        return false;
      }
    });
  const defaults = groupKeys('default');
  let group = 'default';
  let settings = defaults;
  for (const name of listValue(config['topic.creation.groups'])) {
    if (name === 'default') continue;
    const g = groupKeys(name);
    if (matches(g['include']) && !matches(g['exclude'])) {
      group = name;
      settings = { ...defaults, ...g };
      break;
    }
  }
  const configs: Record<string, string> = {};
  for (const [k, v] of Object.entries(settings)) {
    if (!['partitions', 'replication.factor', 'include', 'exclude'].includes(k)) configs[k] = v;
  }
  return {
    group,
    partitions: Number(settings['partitions'] ?? '-1'),
    replicationFactor: Number(settings['replication.factor'] ?? '-1'),
    configs,
  };
}
