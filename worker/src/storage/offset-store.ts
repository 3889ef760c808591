import type { Logger, SourceOffset, SourcePartition } from '@sluice/core';
import { noopLogger } from '@sluice/core';
import type { Log, LogRecord, ProduceRecord } from '../log/log.js';
import { InternalTopic } from './internal-topic.js';

export interface OffsetStoreOptions {
  log: Log;
  topic: string;
  partitions?: number;
  replicationFactor?: number;
  topicConfigs?: Record<string, string>;
  requireCompaction?: boolean;
  logger?: Logger;
}

export interface OffsetEntry {
  partition: SourcePartition;
  offset: SourceOffset | null;
}

/** JSON with object keys sorted, so equal partitions always serialize to the same key bytes. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => stableStringify(v)).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * Source offsets on the offsets topic with Kafka Connect's format (reference/kafka-connect.md §4.2):
 * key `["<connector>", {partition}]`, value the offset map or a tombstone. Keys written by Java may
 * order map fields differently, so partitions are compared structurally (parsed and re-serialized
 * with sorted keys); Sluice writes sorted keys itself so compaction works across its own writes.
 */
/** What a source task and the offsets endpoints need of a store: the worker's, or a connector's own. */
export interface SourceOffsetStore {
  readonly topicName: string;
  readToEnd(): Promise<void>;
  get(connector: string, partition: SourcePartition): SourceOffset | null;
  all(connector: string): OffsetEntry[];
  records(connector: string, entries: readonly OffsetEntry[]): ProduceRecord[];
  applyCommitted(connector: string, entries: readonly OffsetEntry[]): void;
  set(connector: string, entries: readonly OffsetEntry[]): Promise<void>;
}

export class OffsetStore implements SourceOffsetStore {
  private readonly topic: InternalTopic;
  private readonly log: Log;
  private readonly logger: Logger;
  private readonly options: OffsetStoreOptions;
  /** connector → canonical partition → entry */
  private readonly offsets = new Map<string, Map<string, OffsetEntry>>();
  /** connector-specific offsets topics (`offsets.storage.topic`), started on first use */
  private readonly connectorStores = new Map<string, Promise<OffsetStore>>();

  constructor(options: OffsetStoreOptions) {
    this.options = options;
    this.logger = options.logger ?? noopLogger;
    this.log = options.log;
    this.topic = new InternalTopic({
      log: options.log,
      topic: {
        name: options.topic,
        partitions: options.partitions ?? 25,
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

  async stop(): Promise<void> {
    const own = [...this.connectorStores.values()];
    this.connectorStores.clear();
    await Promise.all(own.map((p) => p.then((store) => store.stop()).catch(() => undefined)));
    await this.topic.stop();
  }

  /**
   * The store a source connector uses (KIP-618): this one, or, when its config sets
   * `offsets.storage.topic`, that topic (created compacted like this one when missing) backed by
   * this one. Reads prefer the connector's topic and fall back to this one for partitions it has
   * never written (so a connector moved to its own topic keeps its progress); writes go to the
   * connector's topic (inside exactly-once transactions) and are copied here.
   */
  async forConnector(config: Readonly<Record<string, string>>): Promise<SourceOffsetStore> {
    const topic = (config['offsets.storage.topic'] ?? '').trim();
    if (topic === '' || topic === this.topicName) return this;
    let store = this.connectorStores.get(topic);
    if (store === undefined) {
      const created = new OffsetStore({ ...this.options, topic });
      store = created.start().then(() => created);
      this.connectorStores.set(topic, store);
      store.catch(() => this.connectorStores.delete(topic));
    }
    return new ConnectorOffsetStore(await store, this, this.logger);
  }

  readToEnd(): Promise<void> {
    return this.topic.readToEnd();
  }

  /** Last stored offset for a partition of a connector, or null. */
  get(connector: string, partition: SourcePartition): SourceOffset | null {
    return this.offsets.get(connector)?.get(stableStringify(partition))?.offset ?? null;
  }

  /** Every partition with a non-null offset for the connector. */
  all(connector: string): OffsetEntry[] {
    return [...(this.offsets.get(connector)?.values() ?? [])].filter((e) => e.offset !== null);
  }

  /** The offsets topic name (exactly-once tasks write their offsets to it inside their transaction). */
  get topicName(): string {
    return this.topic.topic;
  }

  /** Offsets as records of the offsets topic, for writing inside a transaction. */
  records(connector: string, entries: readonly OffsetEntry[]): ProduceRecord[] {
    return entries.map((e) => ({
      key: Buffer.from(stableStringify([connector, e.partition]), 'utf8'),
      value: e.offset === null ? null : Buffer.from(stableStringify(e.offset), 'utf8'),
    }));
  }

  /** Applies offsets whose records were committed by a transaction the caller ran. */
  applyCommitted(connector: string, entries: readonly OffsetEntry[]): void {
    for (const e of entries) this.put(connector, e.partition, e.offset);
  }

  /** Writes offsets (null = delete) and resolves once they are durable and applied locally. */
  async set(connector: string, entries: readonly OffsetEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.log.produce(
      this.topic.topic,
      entries.map((e) => ({
        key: Buffer.from(stableStringify([connector, e.partition]), 'utf8'),
        value: e.offset === null ? null : Buffer.from(stableStringify(e.offset), 'utf8'),
      })),
    );
    // Apply locally at once: the writer must see its own offsets even before the tail catches up.
    for (const e of entries) this.put(connector, e.partition, e.offset);
  }

  private put(connector: string, partition: SourcePartition, offset: SourceOffset | null): void {
    let byPartition = this.offsets.get(connector);
    if (!byPartition) this.offsets.set(connector, (byPartition = new Map()));
    const key = stableStringify(partition);
    if (offset === null) byPartition.delete(key);
    else byPartition.set(key, { partition, offset });
  }

  private apply(record: LogRecord): void {
    if (!record.key) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(record.key.toString('utf8'));
    } catch {
      this.logger.warn('Ignoring offsets record with a non-JSON key', { offset: record.offset });
      return;
    }
    // Kafka Connect ignores keys that are not a two-element [string, map] array; so do we.
    if (!Array.isArray(parsed) || parsed.length !== 2 || typeof parsed[0] !== 'string') return;
    const partition = parsed[1];
    if (!partition || typeof partition !== 'object' || Array.isArray(partition)) return;
    const offset = record.value === null ? null : (JSON.parse(record.value.toString('utf8')) as SourceOffset);
    this.put(parsed[0], partition as SourcePartition, offset);
  }
}

/** A connector's own offsets topic in front of the worker's (see `OffsetStore.forConnector`). */
class ConnectorOffsetStore implements SourceOffsetStore {
  constructor(
    private readonly primary: OffsetStore,
    private readonly worker: OffsetStore,
    private readonly logger: Logger,
  ) {}

  get topicName(): string {
    return this.primary.topicName;
  }

  async readToEnd(): Promise<void> {
    await Promise.all([this.primary.readToEnd(), this.worker.readToEnd()]);
  }

  get(connector: string, partition: SourcePartition): SourceOffset | null {
    return this.primary.get(connector, partition) ?? this.worker.get(connector, partition);
  }

  all(connector: string): OffsetEntry[] {
    const own = this.primary.all(connector);
    const seen = new Set(own.map((e) => stableStringify(e.partition)));
    return [...own, ...this.worker.all(connector).filter((e) => !seen.has(stableStringify(e.partition)))];
  }

  records(connector: string, entries: readonly OffsetEntry[]): ProduceRecord[] {
    return this.primary.records(connector, entries);
  }

  applyCommitted(connector: string, entries: readonly OffsetEntry[]): void {
    this.primary.applyCommitted(connector, entries);
    // the worker's topic gets a copy after the transaction, as in Kafka Connect; losing it loses nothing
    this.copy(connector, entries);
  }

  async set(connector: string, entries: readonly OffsetEntry[]): Promise<void> {
    await this.primary.set(connector, entries);
    await this.copy(connector, entries);
  }

  private copy(connector: string, entries: readonly OffsetEntry[]): Promise<void> {
    return this.worker.set(connector, entries).catch((err: unknown) =>
      this.logger.warn('Could not copy offsets to the worker offsets topic (the connector topic has them)', {
        connector,
        topic: this.primary.topicName,
        error: err instanceof Error ? err.message : String(err),
      }),
    );
  }
}
