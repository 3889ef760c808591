import { setTimeout as sleep } from 'node:timers/promises';
import { NotFoundError, RetriableError } from '@sluice/core';
import type { TopicDescription, TopicSpec } from '../../log/log.js';
import { kafkaErrorType } from './kafka-errors.js';
import type { TopicMetadata } from './topic-metadata.js';

const RESOURCE_TOPIC = 2;
const RESOURCE_BROKER = 4;
/** Topics the brokers keep for themselves; `list` leaves them out, as Kafka's Admin does by default. */
const INTERNAL_TOPICS = new Set(['__consumer_offsets', '__transaction_state', '__share_group_state', '__cluster_metadata']);

/**
 * Topic administration through single broker requests on the log's control cluster (any broker
 * answers or forwards them to the KRaft controller). We do not use kafkajs's admin client here: it
 * refreshes metadata for every topic before each call and fails outright if any one topic anywhere is
 * unhealthy.
 */
export class TopicAdmin {
  private defaults: { partitions: number; replicationFactor: number } | null = null;

  constructor(
    private readonly metadata: TopicMetadata,
    private readonly requestTimeoutMs: number,
  ) {}

  /** Creates the topic and waits until every partition has a leader; false if it already existed. */
  async create(spec: TopicSpec): Promise<boolean> {
    const wanted = { partitions: spec.partitions, replicationFactor: spec.replicationFactor ?? -1 };
    // kafkajs speaks CreateTopics up to v3, where -1 ("broker default") is not yet allowed (KIP-464, v4).
    if (wanted.partitions === -1 || wanted.replicationFactor === -1) {
      const defaults = await this.brokerDefaults();
      if (wanted.partitions === -1) wanted.partitions = defaults.partitions;
      if (wanted.replicationFactor === -1) wanted.replicationFactor = defaults.replicationFactor;
    }
    const created = await this.metadata.retrying(`Creating topic ${spec.name}`, { topic: spec.name }, async () => {
      const broker = await this.metadata.anyBroker();
      try {
        await broker.createTopics({
          topics: [
            {
              topic: spec.name,
              numPartitions: wanted.partitions,
              replicationFactor: wanted.replicationFactor,
              configEntries: Object.entries(spec.configs ?? {}).map(([name, value]) => ({ name, value })),
            },
          ],
          timeout: this.requestTimeoutMs,
        });
        return true;
      } catch (err) {
        if (kafkaErrorType(err) === 'TOPIC_ALREADY_EXISTS') return false;
        throw err;
      }
    });
    await this.awaitLeaders(spec.name);
    return created;
  }

  /** Partition count and every non-sensitive config value (defaults included); null if missing. */
  async describe(name: string): Promise<TopicDescription | null> {
    const layout = await this.metadata.layout(name, true);
    if (!layout) return null;
    const configs = await this.metadata.retrying(`Describing topic ${name}`, { topic: name }, async () => {
      const broker = await this.metadata.anyBroker();
      try {
        const { resources } = await broker.describeConfigs({ resources: [{ type: RESOURCE_TOPIC, name, configNames: [] }] });
        const out: Record<string, string> = {};
        for (const entry of resources[0]?.configEntries ?? []) {
          if (!entry.isSensitive && entry.configValue !== null) out[entry.configName] = entry.configValue;
        }
        return out;
      } catch (err) {
        if (kafkaErrorType(err) === 'UNKNOWN_TOPIC_OR_PARTITION') return null;
        throw err;
      }
    });
    if (!configs) return null;
    return { name, partitions: layout.leaders.length, configs };
  }

  async list(): Promise<string[]> {
    const response = await this.metadata.retrying('Listing topics', {}, () => this.metadata.metadata([]));
    return response.topicMetadata
      .filter((t) => !t.isInternal && !INTERNAL_TOPICS.has(t.topic))
      .map((t) => t.topic)
      .sort();
  }

  /** Deletes the topic; NotFoundError if it does not exist. */
  async delete(name: string): Promise<void> {
    await this.metadata.retrying(`Deleting topic ${name}`, { topic: name }, async () => {
      const broker = await this.metadata.anyBroker();
      try {
        await broker.deleteTopics({ topics: [name], timeout: this.requestTimeoutMs });
      } catch (err) {
        // Not transient here: the topic is gone (perhaps our own earlier attempt removed it).
        if (kafkaErrorType(err) === 'UNKNOWN_TOPIC_OR_PARTITION') throw new NotFoundError(`Topic ${name} does not exist`, { cause: err, context: { topic: name } });
        throw err;
      }
    });
    this.metadata.invalidate(name);
  }

  /** `num.partitions` and `default.replication.factor` of the cluster (read from one broker, cached). */
  private async brokerDefaults(): Promise<{ partitions: number; replicationFactor: number }> {
    if (this.defaults) return this.defaults;
    const defaults = await this.metadata.retrying('Reading broker defaults', {}, async () => {
      // Broker configs are answered only by that broker, so learn a broker id first.
      const nodeId = (await this.metadata.metadata([])).brokers[0]?.nodeId;
      if (nodeId === undefined) throw new RetriableError('The cluster reported no brokers');
      const broker = await this.metadata.broker(nodeId);
      const { resources } = await broker.describeConfigs({
        resources: [{ type: RESOURCE_BROKER, name: String(nodeId), configNames: ['num.partitions', 'default.replication.factor'] }],
      });
      const value = (key: string): number => Number(resources[0]?.configEntries.find((e) => e.configName === key)?.configValue ?? NaN);
      return { partitions: value('num.partitions'), replicationFactor: value('default.replication.factor') };
    });
    if (!Number.isInteger(defaults.partitions) || !Number.isInteger(defaults.replicationFactor)) {
      throw new RetriableError('Could not read num.partitions / default.replication.factor from the brokers');
    }
    this.defaults = defaults;
    return defaults;
  }

  /** Metadata can trail a successful CreateTopics for a moment; wait until every partition has a leader. */
  private async awaitLeaders(name: string): Promise<void> {
    const deadline = Date.now() + this.requestTimeoutMs;
    for (;;) {
      const layout = await this.metadata.loadLayout(name).catch(() => null);
      if (layout && layout.leaders.length > 0 && layout.leaders.every((l) => l >= 0)) return;
      if (Date.now() > deadline) throw new RetriableError(`Topic ${name} has partitions without a leader`, { context: { topic: name } });
      await sleep(100);
    }
  }
}
