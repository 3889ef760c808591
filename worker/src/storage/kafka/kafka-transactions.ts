import type { Kafka, Producer } from 'kafkajs';
import type { LogTransaction, ProduceAck, ProduceRecord, TransactionalProducer } from '../../log/log.js';
import { toConnectError } from './kafka-errors.js';
import { partitionForKey } from './partitioner.js';

/**
 * A transactional producer on kafkajs's public API (its transactions work against Kafka 3.9 and 4.x;
 * checked by the exactly-once integration test). Initialization runs one empty transaction, which
 * makes kafkajs send InitProducerId with the transactional id and so bumps the epoch: every older
 * producer with the same id is fenced and its open transaction aborted.
 */
export class KafkaTransactionalProducer implements TransactionalProducer {
  private readonly roundRobin = new Map<string, number>();

  private constructor(
    readonly transactionalId: string,
    private readonly producer: Producer,
    private readonly partitionCount: (topic: string) => Promise<number>,
  ) {}

  static async create(
    kafka: Kafka,
    transactionalId: string,
    partitionCount: (topic: string) => Promise<number>,
    transactionTimeoutMs = 60_000,
  ): Promise<KafkaTransactionalProducer> {
    const producer = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1, transactionTimeout: transactionTimeoutMs });
    try {
      await producer.connect();
      const tx = await producer.transaction();
      await tx.abort();
    } catch (err) {
      await producer.disconnect().catch(() => undefined);
      throw toConnectError(err, `Initializing transactional producer ${transactionalId}`);
    }
    return new KafkaTransactionalProducer(transactionalId, producer, partitionCount);
  }

  async begin(): Promise<LogTransaction> {
    const tx = await this.producer.transaction();
    const produce = async (topic: string, records: readonly ProduceRecord[]): Promise<ProduceAck[]> => {
      const n = await this.partitionCount(topic);
      const now = Date.now();
      const messages = records.map((r) => {
        let partition = r.partition;
        if (partition === undefined) {
          if (r.key !== null) partition = partitionForKey(r.key, n);
          else {
            partition = (this.roundRobin.get(topic) ?? 0) % n;
            this.roundRobin.set(topic, partition + 1);
          }
        }
        return {
          key: r.key,
          value: r.value,
          partition,
          timestamp: String(r.timestamp ?? now),
          headers: Object.fromEntries((r.headers ?? []).map((h) => [h.key, h.value ?? Buffer.alloc(0)])),
        };
      });
      const result = await tx.send({ topic, acks: -1, messages });
      // kafkajs reports one base offset per partition; records of a partition are contiguous in order.
      const next = new Map(result.map((m) => [m.partition, Number(m.baseOffset)]));
      return messages.map((m) => {
        const offset = next.get(m.partition) ?? -1;
        next.set(m.partition, offset + 1);
        return { topic, partition: m.partition, offset, timestamp: Number(m.timestamp) };
      });
    };
    return {
      produce: (topic, records) => produce(topic, records).catch((err) => Promise.reject(toConnectError(err, `Transactional produce to ${topic}`))),
      commit: () => tx.commit().catch((err) => Promise.reject(toConnectError(err, `Committing transaction of ${this.transactionalId}`))),
      abort: () => tx.abort().catch((err) => Promise.reject(toConnectError(err, `Aborting transaction of ${this.transactionalId}`))),
    };
  }

  async close(): Promise<void> {
    await this.producer.disconnect().catch(() => undefined);
  }
}
