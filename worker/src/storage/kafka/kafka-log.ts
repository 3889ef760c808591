import { IllegalStateError, NotFoundError, noopLogger } from '@sluice/core';
import { KafkaTransactionalProducer } from './kafka-transactions.js';
import type { TransactionalProducer } from '../../log/log.js';
import type { Logger } from '@sluice/core';
import { Kafka, logLevel } from 'kafkajs';
import type { CompressionTypes, KafkaConfig } from 'kafkajs';
import type {
  FetchOptions,
  GroupConsumer,
  Log,
  LogRecord,
  ProduceAck,
  ProduceRecord,
  TopicDescription,
  TopicPartitionOffset,
  TopicSpec,
} from '../../log/log.js';
import { GroupOffsets } from './group-offsets.js';
import { KafkaGroupConsumer } from './kafka-group-consumer.js';
import type { KafkaGroupConsumerOptions } from './kafka-group-consumer.js';
import { toConnectError } from './kafka-errors.js';
import { KafkaSender } from './kafka-sender.js';
import { createCluster } from './kafkajs-internals.js';
import type { ConnectionSettings, InternalCluster } from './kafkajs-internals.js';
import { kafkajsLogCreator } from './kafkajs-logger.js';
import { PartitionReader } from './partition-reader.js';
import { partitionForKey } from './partitioner.js';
import { ProduceBatcher } from './produce-batcher.js';
import type { PartitionedRecord } from './produce-batcher.js';
import { TopicAdmin } from './topic-admin.js';
import { TopicMetadata } from './topic-metadata.js';

/** Options of {@link KafkaLog.connect}. Everything but `brokers` has a default. */
export interface KafkaLogOptions {
  /** bootstrap servers, `host:port` */
  readonly brokers: readonly string[];
  /** client id sent to the brokers (default `sluice`) */
  readonly clientId?: string;
  /** TLS, passed through to kafkajs */
  readonly ssl?: KafkaConfig['ssl'];
  /** SASL, passed through to kafkajs */
  readonly sasl?: KafkaConfig['sasl'];
  /** receives kafkajs's log lines (levels shifted down, see kafkajsLogCreator) and our own */
  readonly logger?: Logger;
  /** TCP connect timeout (default 3,000) */
  readonly connectionTimeoutMs?: number;
  /** per-request timeout (default 30,000) */
  readonly requestTimeoutMs?: number;
  /** how long partition layouts are cached (default 30,000) */
  readonly metadataMaxAgeMs?: number;
  readonly producer?: {
    /** estimated bytes per produce request (default 1,000,000) */
    readonly maxBatchBytes?: number;
    /** extra wait to gather concurrent calls into one request (default 0) */
    readonly lingerMs?: number;
    /** about how long a request keeps retrying before its callers fail (default 120,000) */
    readonly deliveryTimeoutMs?: number;
    /** broker wait for the in-sync replicas' acknowledgement (default 30,000) */
    readonly ackTimeoutMs?: number;
    readonly compression?: CompressionTypes;
  };
  readonly fetch?: {
    /** per-partition bytes per Fetch (default 1 MiB) */
    readonly maxPartitionBytes?: number;
    /** open reader connections, one per recently read topic (default 8) */
    readonly maxConnections?: number;
  };
  /** defaults for every `groupConsumer` */
  readonly consumer?: Omit<KafkaGroupConsumerOptions, 'logger'>;
}

/**
 * The `Log` port on Apache Kafka, through kafkajs (distributed mode).
 *
 * - `produce`: an idempotent producer with `acks=-1`; concurrent calls are coalesced into shared
 *   requests by {@link ProduceBatcher}, one request in flight, per-partition order kept, one ack per
 *   record. Keyed records are partitioned with Kafka's murmur2, null keys round-robin, exactly as the
 *   port specifies.
 * - `fetch`: random-access reads with broker-level Fetch requests ({@link PartitionReader}), no
 *   consumer group involved; `read_committed`.
 * - `startOffsets`/`endOffsets`: ListOffsets earliest/latest with `read_committed` (so the end is the
 *   last stable offset: the high watermark unless a transaction is open).
 * - topics: CreateTopics / DeleteTopics / DescribeConfigs / Metadata ({@link TopicAdmin}).
 * - group offsets: OffsetFetch, "simple" OffsetCommit, DeleteGroups and OffsetDelete at the
 *   coordinator ({@link GroupOffsets}); `groupConsumer` adapts a kafkajs consumer ({@link KafkaGroupConsumer}).
 *
 * Protocol versions: kafkajs 2.2.4 negotiates the highest version both sides know, and each of its
 * maxima (Produce v7, Fetch v11, ListOffsets v3, Metadata v6, OffsetCommit v5, OffsetFetch v4,
 * JoinGroup v5, CreateTopics v3, DescribeConfigs v2, …) is still served by Kafka 4.x after KIP-896
 * removed the old versions; the integration tests run against 4.x and 3.9.
 *
 * Safe for concurrent use. `close` flushes queued produce calls, closes consumers created here.
 */
export class KafkaLog implements Log {
  private readonly control: InternalCluster;
  private readonly metadata: TopicMetadata;
  private readonly admin: TopicAdmin;
  private readonly groups: GroupOffsets;
  private readonly reader: PartitionReader;
  private readonly sender: KafkaSender;
  private readonly batcher: ProduceBatcher;
  private readonly kafka: Kafka;
  private readonly consumers = new Set<KafkaGroupConsumer>();
  private readonly roundRobin = new Map<string, number>();
  private readonly logger: Logger;
  private closing: Promise<void> | null = null;

  private constructor(private readonly options: KafkaLogOptions) {
    this.logger = (options.logger ?? noopLogger).child({ component: 'kafka-log' });
    const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    const settings: ConnectionSettings = {
      brokers: [...options.brokers],
      clientId: options.clientId ?? 'sluice',
      ...(options.ssl !== undefined ? { ssl: options.ssl } : {}),
      ...(options.sasl !== undefined ? { sasl: options.sasl } : {}),
      connectionTimeoutMs: options.connectionTimeoutMs ?? 3_000,
      requestTimeoutMs,
      logCreator: kafkajsLogCreator(options.logger ?? noopLogger),
      logLevel: logLevel.INFO,
    };
    this.control = createCluster(settings, { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 });
    this.metadata = new TopicMetadata(this.control, options.metadataMaxAgeMs ?? 30_000);
    this.admin = new TopicAdmin(this.metadata, requestTimeoutMs);
    this.groups = new GroupOffsets(this.metadata);
    this.reader = new PartitionReader(settings, this.metadata, { requestTimeoutMs, ...options.fetch });
    this.sender = new KafkaSender(settings, options.producer);
    this.batcher = new ProduceBatcher(this.sender, { ...options.producer, logger: this.logger });
    this.kafka = new Kafka({
      brokers: settings.brokers,
      clientId: settings.clientId,
      ...(settings.ssl !== undefined ? { ssl: settings.ssl } : {}),
      ...(settings.sasl !== undefined ? { sasl: settings.sasl } : {}),
      connectionTimeout: settings.connectionTimeoutMs,
      requestTimeout: requestTimeoutMs,
      logCreator: settings.logCreator,
      logLevel: logLevel.INFO,
    });
  }

  /**
   * Connects to the cluster (one Metadata round trip to prove it is reachable) and returns the log.
   * Rejects with a RetriableError when no broker answers.
   */
  /** See {@link KafkaTransactionalProducer}. */
  async transactionalProducer(transactionalId: string): Promise<TransactionalProducer> {
    return KafkaTransactionalProducer.create(this.kafka, transactionalId, async (topic) => {
      const d = await this.describeTopic(topic);
      if (!d) throw new NotFoundError(`Topic ${topic} does not exist`);
      return d.partitions;
    });
  }

  static async connect(options: KafkaLogOptions): Promise<KafkaLog> {
    if (options.brokers.length === 0) throw new IllegalStateError('KafkaLog needs at least one bootstrap broker');
    const log = new KafkaLog(options);
    try {
      await log.metadata.retrying(`Connecting to Kafka at ${options.brokers.join(',')}`, {}, () => log.metadata.anyBroker());
    } catch (err) {
      await log.close();
      throw err;
    }
    return log;
  }

  async createTopic(spec: TopicSpec): Promise<boolean> {
    this.assertOpen();
    return this.admin.create(spec);
  }

  async describeTopic(name: string): Promise<TopicDescription | null> {
    this.assertOpen();
    return this.admin.describe(name);
  }

  async listTopics(): Promise<string[]> {
    this.assertOpen();
    return this.admin.list();
  }

  async deleteTopic(name: string): Promise<void> {
    this.assertOpen();
    return this.admin.delete(name);
  }

  async produce(topic: string, records: readonly ProduceRecord[]): Promise<ProduceAck[]> {
    this.assertOpen();
    if (records.length === 0) return [];
    const partitions = await this.metadata.partitionCount(topic);
    const now = Date.now();
    const partitioned: PartitionedRecord[] = records.map((r) => {
      const partition = r.partition ?? (r.key !== null ? partitionForKey(r.key, partitions) : this.nextRoundRobin(topic, partitions));
      if (!Number.isInteger(partition) || partition < 0 || partition >= partitions) {
        throw new NotFoundError(`Topic ${topic} has no partition ${partition} (it has ${partitions})`, { context: { topic, partition } });
      }
      return {
        key: r.key,
        value: r.value,
        timestamp: r.timestamp ?? now,
        partition,
        ...(r.headers !== undefined ? { headers: r.headers } : {}),
      };
    });
    return this.batcher.submit(topic, partitioned);
  }

  async fetch(topic: string, partition: number, offset: number, options?: FetchOptions): Promise<LogRecord[]> {
    this.assertOpen();
    return this.reader.fetch(topic, partition, offset, options);
  }

  async startOffsets(topic: string): Promise<number[]> {
    this.assertOpen();
    return this.metadata.listOffsets(topic, -2);
  }

  async endOffsets(topic: string): Promise<number[]> {
    this.assertOpen();
    return this.metadata.listOffsets(topic, -1);
  }

  async fetchGroupOffsets(groupId: string, topics?: readonly string[]): Promise<TopicPartitionOffset[]> {
    this.assertOpen();
    return this.groups.fetch(groupId, topics);
  }

  async commitGroupOffsets(groupId: string, offsets: readonly TopicPartitionOffset[]): Promise<void> {
    this.assertOpen();
    return this.groups.commit(groupId, offsets);
  }

  async deleteGroupOffsets(groupId: string, partitions?: readonly { topic: string; partition: number }[]): Promise<void> {
    this.assertOpen();
    return this.groups.delete(groupId, partitions);
  }

  /**
   * A new member of `groupId` (not yet joined: `subscribe` joins). The consumer's own options come
   * from `KafkaLogOptions.consumer`; `clientId` overrides the log's for this member only.
   */
  groupConsumer(groupId: string, options: { clientId?: string } = {}): GroupConsumer {
    this.assertOpen();
    const kafka = options.clientId === undefined ? this.kafka : this.kafkaFor(options.clientId);
    const consumer: KafkaGroupConsumer = new KafkaGroupConsumer(
      kafka,
      groupId,
      { ...this.options.consumer, logger: this.logger },
      () => this.consumers.delete(consumer),
    );
    this.consumers.add(consumer);
    return consumer;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      const steps: [string, () => Promise<void>][] = [
        ['consumers', async () => void (await Promise.allSettled([...this.consumers].map((c) => c.close())))],
        ['producer', () => this.batcher.close()],
        ['producer connection', () => this.sender.reset()],
        ['readers', () => this.reader.close()],
        ['control connection', () => this.control.disconnect()],
      ];
      // Every step runs even if an earlier one fails.
      for (const [name, step] of steps) {
        try {
          await step();
        } catch (err) {
          this.logger.warn(`Closing the Kafka log: ${name} failed`, { err: toConnectError(err, `Closing ${name}`) });
        }
      }
    })();
    return this.closing;
  }

  private nextRoundRobin(topic: string, partitions: number): number {
    const next = (this.roundRobin.get(topic) ?? Math.floor(Math.random() * partitions)) + 1;
    this.roundRobin.set(topic, next % partitions);
    return next % partitions;
  }

  private kafkaFor(clientId: string): Kafka {
    return new Kafka({
      brokers: [...this.options.brokers],
      clientId,
      ...(this.options.ssl !== undefined ? { ssl: this.options.ssl } : {}),
      ...(this.options.sasl !== undefined ? { sasl: this.options.sasl } : {}),
      connectionTimeout: this.options.connectionTimeoutMs ?? 3_000,
      requestTimeout: this.options.requestTimeoutMs ?? 30_000,
      logCreator: kafkajsLogCreator(this.options.logger ?? noopLogger),
      logLevel: logLevel.INFO,
    });
  }

  private assertOpen(): void {
    if (this.closing) throw new IllegalStateError('The Kafka log is closed');
  }
}
