import type { CompressionTypes, Producer } from 'kafkajs';
import { toKafkaHeaders } from './kafka-records.js';
import { createCluster, createIdempotentProducer } from './kafkajs-internals.js';
import type { ConnectionSettings, InternalCluster } from './kafkajs-internals.js';
import type { BatchSender, PartitionResult, PartitionedRecord } from './produce-batcher.js';

/** Tuning of {@link KafkaSender}; every field has a default. */
export interface KafkaSenderOptions {
  /**
   * Roughly how long one request may keep retrying (broker restarts, leader moves) before its callers
   * get an error (default 120,000, Kafka's `delivery.timeout.ms`).
   */
  readonly deliveryTimeoutMs?: number;
  /** broker-side wait for the in-sync replicas (Produce `timeout`, default 30,000) */
  readonly ackTimeoutMs?: number;
  /** kafkajs compression codec id (CompressionTypes); only GZIP is built into kafkajs */
  readonly compression?: CompressionTypes;
}

/**
 * The batcher's transport: a kafkajs idempotent producer (`acks=-1`) on a cluster of its own.
 *
 * kafkajs retries a failed request itself; we bound those retries to about `deliveryTimeoutMs`
 * (backoff capped at 1 s). When a request finally fails, its outcome on the broker is unknown and the
 * producer's sequence numbers may disagree with the broker's, so a later batch could be taken for a
 * duplicate and silently dropped. `reset` therefore throws the producer and its cluster away; the
 * next request starts a fresh producer id, as the Java client bumps its epoch. The fresh cluster also
 * sheds kafkajs's list of target topics, which a topic deleted elsewhere would otherwise poison.
 */
export class KafkaSender implements BatchSender {
  private current: { cluster: InternalCluster; producer: Producer; ready: Promise<void> } | null = null;
  private readonly retries: number;

  constructor(
    private readonly settings: ConnectionSettings,
    private readonly options: KafkaSenderOptions = {},
  ) {
    // Delays run 100, 200, 400, 800 ms, then 1 s each: about one retry per second of the budget.
    this.retries = Math.max(1, Math.ceil((options.deliveryTimeoutMs ?? 120_000) / 1000) + 2);
  }

  async send(topics: ReadonlyMap<string, readonly PartitionedRecord[]>): Promise<PartitionResult[]> {
    const producer = await this.producer();
    const topicMessages = [...topics].map(([topic, records]) => ({
      topic,
      messages: records.map((r) => ({
        partition: r.partition,
        key: r.key,
        value: r.value,
        headers: toKafkaHeaders(r.headers),
        timestamp: String(r.timestamp),
      })),
    }));
    const metadata = await producer.sendBatch({
      acks: -1,
      timeout: this.options.ackTimeoutMs ?? 30_000,
      ...(this.options.compression !== undefined ? { compression: this.options.compression } : {}),
      topicMessages,
    });
    return metadata.map((m) => ({
      topic: m.topicName,
      partition: m.partition,
      baseOffset: Number(m.baseOffset ?? m.offset),
      logAppendTime: Number(m.logAppendTime ?? -1),
    }));
  }

  async reset(): Promise<void> {
    const current = this.current;
    this.current = null;
    if (!current) return;
    await current.ready.catch(() => undefined);
    await current.producer.disconnect().catch(() => undefined);
    await current.cluster.disconnect().catch(() => undefined);
  }

  private async producer(): Promise<Producer> {
    if (!this.current) {
      const retry = { retries: this.retries, initialRetryTime: 100, maxRetryTime: 1000, multiplier: 2, factor: 0.2 };
      const cluster = createCluster(this.settings, retry);
      const producer = createIdempotentProducer(this.settings, cluster, retry);
      this.current = { cluster, producer, ready: producer.connect() };
    }
    const current = this.current;
    try {
      await current.ready;
    } catch (err) {
      // Connecting includes InitProducerId; a producer that never got an id is useless, start over next time.
      if (this.current === current) this.current = null;
      await current.cluster.disconnect().catch(() => undefined);
      throw err;
    }
    return current.producer;
  }
}
