import { NotFoundError } from '@sluice/core';
import type { LoggerLevel } from '../../src/herder.js';
import { FakeHerder } from './fake-herder.js';

/**
 * A FakeHerder that also implements the Herder's optional members: topic tracking (KIP-558), log
 * levels (KIP-495/976) and the internal task-config and fencing endpoints. Topics are recorded per
 * connector with `useTopic`; levels start with `root` at INFO.
 */
export class ExtendedFakeHerder extends FakeHerder {
  readonly topics = new Map<string, Set<string>>();
  readonly levels = new Map<string, LoggerLevel>([['root', { level: 'INFO', last_modified: null }]]);
  readonly storedTaskConfigs = new Map<string, Record<string, string>[]>();
  readonly fenced: string[] = [];
  /** Clock for `last_modified`, replaceable for deterministic tests. */
  now: () => number = () => Date.now();

  /** Records that connector `name` produced to or consumed from `topic`. */
  useTopic(name: string, topic: string): this {
    const set = this.topics.get(name) ?? new Set<string>();
    set.add(topic);
    this.topics.set(name, set);
    return this;
  }

  async connectorTopics(name: string): Promise<Record<string, { topics: string[] }>> {
    this.enter('connectorTopics', name);
    this.get(name);
    return { [name]: { topics: [...(this.topics.get(name) ?? [])].sort() } };
  }
  async resetConnectorTopics(name: string): Promise<void> {
    this.enter('resetConnectorTopics', name);
    this.get(name);
    this.topics.delete(name);
  }

  loggers(): Record<string, LoggerLevel> {
    this.enter('loggers');
    return Object.fromEntries(this.levels);
  }
  async setLoggerLevel(name: string, level: string, scope: 'worker' | 'cluster'): Promise<string[] | null> {
    this.enter('setLoggerLevel', name, level, scope);
    // As log4j does: the named logger and every known logger below it in the hierarchy change.
    const affected = [...this.levels.keys()].filter((n) => name === 'root' || n === name || n.startsWith(`${name}.`));
    if (!affected.includes(name)) affected.push(name);
    for (const logger of affected) this.levels.set(logger, { level, last_modified: this.now() });
    return scope === 'cluster' ? null : affected;
  }

  async putTaskConfigs(name: string, configs: Record<string, string>[]): Promise<void> {
    this.enter('putTaskConfigs', name, configs);
    if (!this.connectorMap.has(name)) throw new NotFoundError(`Connector ${name} not found`);
    this.storedTaskConfigs.set(name, configs);
  }
  async fenceZombies(name: string): Promise<void> {
    this.enter('fenceZombies', name);
    this.get(name);
    this.fenced.push(name);
  }
}
