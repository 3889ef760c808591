import type { Logger } from '@sluice/core';
import { noopLogger } from '@sluice/core';
import type { Log, LogRecord } from '../log/log.js';
import { InternalTopic } from './internal-topic.js';

export type StatusState = 'UNASSIGNED' | 'RUNNING' | 'PAUSED' | 'STOPPED' | 'FAILED' | 'RESTARTING';

export interface Status {
  state: StatusState;
  trace: string | null;
  workerId: string;
  generation: number;
}

export interface StatusStoreOptions {
  log: Log;
  topic: string;
  partitions?: number;
  replicationFactor?: number;
  topicConfigs?: Record<string, string>;
  requireCompaction?: boolean;
  logger?: Logger;
}

/**
 * Connector and task statuses on the status topic (reference/kafka-connect.md §4.3):
 * `status-connector-<n>` and `status-task-<n>-<i>` → `{"state","trace","worker_id","generation"}`;
 * DESTROYED is a tombstone. `putSafe` refuses to overwrite a newer generation written by another worker.
 */
export class StatusStore {
  private readonly topic: InternalTopic;
  private readonly logger: Logger;
  private readonly connectors = new Map<string, Status>();
  /** connector → task id → status */
  private readonly tasks = new Map<string, Map<number, Status>>();
  /** connector → topic → first use (KIP-558 active topics) */
  private readonly topics = new Map<string, Map<string, { task: number; discoverTimestamp: number }>>();
  /** own writes not yet read back, per key: older records for the key must not overwrite them */
  private readonly pending = new Map<string, number>();

  constructor(options: StatusStoreOptions) {
    this.logger = options.logger ?? noopLogger;
    this.topic = new InternalTopic({
      log: options.log,
      topic: {
        name: options.topic,
        partitions: options.partitions ?? 5,
        replicationFactor: options.replicationFactor ?? -1,
        configs: { ...options.topicConfigs, 'cleanup.policy': 'compact' },
      },
      requireCompaction: options.requireCompaction ?? true,
      logger: this.logger,
      onRecord: (r) => this.apply(r),
    });
  }

  start(): Promise<void> {
    return this.topic.start();
  }

  stop(): Promise<void> {
    return this.topic.stop();
  }

  readToEnd(): Promise<void> {
    return this.topic.readToEnd();
  }

  connector(name: string): Status | undefined {
    return this.connectors.get(name);
  }

  task(connector: string, id: number): Status | undefined {
    return this.tasks.get(connector)?.get(id);
  }

  taskStatuses(connector: string): Map<number, Status> {
    return new Map(this.tasks.get(connector) ?? []);
  }

  async putConnector(name: string, status: Status): Promise<void> {
    this.connectors.set(name, status);
    await this.send(`status-connector-${name}`, encode(status));
  }

  async putTask(connector: string, id: number, status: Status): Promise<void> {
    this.taskMap(connector).set(id, status);
    await this.send(`status-task-${connector}-${id}`, encode(status));
  }

  /** Writes only if no newer status from another worker exists (Kafka Connect's putSafe). */
  async putTaskSafe(connector: string, id: number, status: Status): Promise<void> {
    const previous = this.task(connector, id);
    if (previous && previous.workerId !== status.workerId && previous.generation > status.generation) return;
    await this.putTask(connector, id, status);
  }

  async putConnectorSafe(name: string, status: Status): Promise<void> {
    const previous = this.connector(name);
    if (previous && previous.workerId !== status.workerId && previous.generation > status.generation) return;
    await this.putConnector(name, status);
  }

  /** Active topics of a connector, sorted. */
  activeTopics(connector: string): string[] {
    return [...(this.topics.get(connector)?.keys() ?? [])].sort();
  }

  /** Records that a connector's task used a topic (once per topic; later calls are no-ops). */
  async putTopic(connector: string, task: number, topic: string): Promise<void> {
    if (this.topics.get(connector)?.has(topic)) return;
    const entry = { task, discoverTimestamp: Date.now() };
    let m = this.topics.get(connector);
    if (!m) this.topics.set(connector, (m = new Map()));
    m.set(topic, entry);
    await this.send(
      `status-topic-${topic}:connector-${connector}`,
      Buffer.from(JSON.stringify({ topic: { name: topic, connector, task, discoverTimestamp: entry.discoverTimestamp } }), 'utf8'),
    );
  }

  /** Forgets a connector's active topics (tombstones). */
  async resetTopics(connector: string): Promise<void> {
    for (const topic of this.activeTopics(connector)) await this.send(`status-topic-${topic}:connector-${connector}`, null);
    this.topics.delete(connector);
  }

  /** DESTROYED: tombstones for every task, then the connector. */
  async destroy(connector: string, taskIds: readonly number[]): Promise<void> {
    const ids = new Set([...taskIds, ...(this.tasks.get(connector)?.keys() ?? [])]);
    for (const id of ids) await this.send(`status-task-${connector}-${id}`, null);
    await this.send(`status-connector-${connector}`, null);
    await this.resetTopics(connector);
    this.tasks.delete(connector);
    this.connectors.delete(connector);
  }

  /** Removes statuses of task ids ≥ count (after a reconfiguration shrank the task set). */
  async removeTasksFrom(connector: string, count: number): Promise<void> {
    for (const id of [...(this.tasks.get(connector)?.keys() ?? [])]) {
      if (id >= count) {
        this.tasks.get(connector)?.delete(id);
        await this.send(`status-task-${connector}-${id}`, null);
      }
    }
  }

  private async send(key: string, value: Buffer | null): Promise<void> {
    this.pending.set(key, (this.pending.get(key) ?? 0) + 1);
    try {
      await this.topic.send(key, value);
    } catch (err) {
      this.release(key);
      throw err;
    }
  }

  /** True while own writes to `key` are still in flight (the record read is older than local state). */
  private release(key: string): boolean {
    const n = this.pending.get(key) ?? 0;
    if (n <= 1) this.pending.delete(key);
    else this.pending.set(key, n - 1);
    return n > 1;
  }

  private taskMap(connector: string): Map<number, Status> {
    let m = this.tasks.get(connector);
    if (!m) this.tasks.set(connector, (m = new Map()));
    return m;
  }

  private apply(record: LogRecord): void {
    const key = record.key?.toString('utf8') ?? '';
    if (this.pending.has(key) && this.release(key)) return;
    let status: Status | null = null;
    if (record.value !== null) {
      try {
        const v = JSON.parse(record.value.toString('utf8')) as Record<string, unknown>;
        status = {
          state: String(v['state']) as StatusState,
          trace: typeof v['trace'] === 'string' ? v['trace'] : null,
          workerId: String(v['worker_id'] ?? ''),
          generation: Number(v['generation'] ?? 0),
        };
      } catch {
        this.logger.warn('Ignoring unreadable status record', { key });
        return;
      }
    }
    if (key.startsWith('status-topic-')) {
      const rest = key.slice('status-topic-'.length);
      const i = rest.lastIndexOf(':connector-');
      if (i <= 0) return;
      const topic = rest.slice(0, i);
      const connector = rest.slice(i + ':connector-'.length);
      if (record.value === null) {
        this.topics.get(connector)?.delete(topic);
      } else {
        try {
          const v = JSON.parse(record.value.toString('utf8')) as { topic?: { task?: number; discoverTimestamp?: number } };
          let m = this.topics.get(connector);
          if (!m) this.topics.set(connector, (m = new Map()));
          m.set(topic, { task: Number(v.topic?.task ?? 0), discoverTimestamp: Number(v.topic?.discoverTimestamp ?? 0) });
        } catch {
          this.logger.warn('Ignoring unreadable topic status record', { key });
        }
      }
      return;
    }
    if (key.startsWith('status-connector-')) {
      const name = key.slice('status-connector-'.length);
      if (status) this.connectors.set(name, status);
      else this.connectors.delete(name);
    } else if (key.startsWith('status-task-')) {
      const rest = key.slice('status-task-'.length);
      const dash = rest.lastIndexOf('-');
      const name = rest.slice(0, dash);
      const id = Number(rest.slice(dash + 1));
      if (dash <= 0 || !Number.isInteger(id)) return;
      if (status) {
        // A stale UNASSIGNED (older generation than a RUNNING status) is ignored, as in Kafka Connect.
        const current = this.tasks.get(name)?.get(id);
        if (status.state === 'UNASSIGNED' && current?.state === 'RUNNING' && status.generation < current.generation) return;
        this.taskMap(name).set(id, status);
      } else {
        this.tasks.get(name)?.delete(id);
      }
    }
  }
}

function encode(status: Status): Buffer {
  return Buffer.from(
    JSON.stringify({ state: status.state, trace: status.trace, worker_id: status.workerId, generation: status.generation }),
    'utf8',
  );
}
