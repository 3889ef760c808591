import { setTimeout as sleep } from 'node:timers/promises';
import { ConnectError, IllegalStateError, noopLogger } from '@sluice/core';
import type { Logger } from '@sluice/core';
import type { LogHeader, ProduceAck } from '../../log/log.js';
import { toConnectError } from './kafka-errors.js';
import { estimateRecordBytes } from './kafka-records.js';

/** A record whose partition and timestamp have been decided. */
export interface PartitionedRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: readonly LogHeader[];
  readonly timestamp: number;
  readonly partition: number;
}

/** Where the broker put one partition's share of a request. */
export interface PartitionResult {
  readonly topic: string;
  readonly partition: number;
  readonly baseOffset: number;
  /** broker time for LogAppendTime topics, else -1 */
  readonly logAppendTime: number;
}

/**
 * The transport under the batcher. `send` writes one request whose records, per topic, are in the
 * order given; it resolves with one result per (topic, partition) written. After a failed `send` the
 * batcher calls `reset`, so the transport can discard an idempotent producer whose sequence numbers
 * are in doubt before the next request.
 */
export interface BatchSender {
  send(topics: ReadonlyMap<string, readonly PartitionedRecord[]>): Promise<PartitionResult[]>;
  reset(): Promise<void>;
}

/** Tuning of {@link ProduceBatcher}; every field has a default. */
export interface ProduceBatcherOptions {
  /** stop adding records to a request past this estimated size (default 1,000,000, under Kafka's 1 MiB batch limit) */
  readonly maxBatchBytes?: number;
  /** wait this long before sending, to gather more concurrent calls (default 0: just the current tick) */
  readonly lingerMs?: number;
  readonly logger?: Logger;
}

interface Call {
  readonly acks: (ProduceAck | undefined)[];
  remaining: number;
  settled: boolean;
  resolve(acks: ProduceAck[]): void;
  reject(err: unknown): void;
}

interface Entry {
  readonly call: Call;
  readonly index: number;
  readonly topic: string;
  readonly record: PartitionedRecord;
  readonly bytes: number;
  /** requests this record was part of without its partition being acknowledged */
  unacknowledged: number;
  /** set while the record waits to be resent: records with the same mark go out alone, together */
  resend: number;
}

/** How often a record may come back unacknowledged before its call fails. */
const MAX_UNACKNOWLEDGED = 5;

/**
 * Coalesces concurrent `produce` calls into few large requests: kafkajs has no linger/accumulator, and
 * a request per call caps throughput at one round trip per call.
 *
 * One request is in flight at a time; everything submitted meanwhile queues and forms the next
 * request, so batches grow with load and latency (adaptive lingering, as Kafka's accumulator does
 * while the connection is busy). The single in-flight request also gives per-partition order across
 * calls and keeps the idempotent producer's sequence numbers unambiguous. Each caller gets its own
 * acks: within a request every (topic, partition) is one record batch, so a record's offset is the
 * batch's base offset plus its position among that partition's records in the request.
 *
 * A call's records may span several requests. When a request fails, every call with records in it is
 * rejected and that call's remaining queued records are dropped; records of the call that were
 * acknowledged by earlier requests stay written (at-least-once, as with Kafka's per-record futures).
 */
export class ProduceBatcher {
  private queue: Entry[] = [];
  private head = 0;
  private running = false;
  private closing = false;
  private idle: (() => void)[] = [];
  private resendMarks = 0;
  private readonly maxBatchBytes: number;
  private readonly lingerMs: number;
  private readonly logger: Logger;

  constructor(
    private readonly sender: BatchSender,
    options: ProduceBatcherOptions = {},
  ) {
    this.maxBatchBytes = options.maxBatchBytes ?? 1_000_000;
    this.lingerMs = options.lingerMs ?? 0;
    this.logger = options.logger ?? noopLogger;
  }

  /** Queues `records` (in order) for `topic`; resolves with one ack per record once all are durable. */
  submit(topic: string, records: readonly PartitionedRecord[]): Promise<ProduceAck[]> {
    if (this.closing) return Promise.reject(new IllegalStateError('The Kafka log is closed', { context: { topic } }));
    if (records.length === 0) return Promise.resolve([]);
    return new Promise<ProduceAck[]>((resolve, reject) => {
      const call: Call = { acks: new Array(records.length), remaining: records.length, settled: false, resolve, reject };
      records.forEach((record, index) => {
        this.queue.push({ call, index, topic, record, bytes: estimateRecordBytes(record.key, record.value, record.headers), unacknowledged: 0, resend: 0 });
      });
      this.schedule();
    });
  }

  /** Stops accepting records and resolves once everything already queued has been sent (or failed). */
  async close(): Promise<void> {
    this.closing = true;
    if (!this.running && this.head >= this.queue.length) return;
    await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  private schedule(): void {
    if (this.running) return;
    this.running = true;
    void this.run();
  }

  private async run(): Promise<void> {
    try {
      // Let the other calls of this tick (or of the linger window) join the first request.
      if (this.lingerMs > 0) await sleep(this.lingerMs);
      else await new Promise<void>((resolve) => setImmediate(resolve));
      for (;;) {
        const entries = this.take();
        if (entries.length === 0) break;
        await this.send(entries);
      }
    } catch (err) {
      this.logger.error('Kafka produce loop failed unexpectedly', { err });
    } finally {
      this.running = false;
      this.queue = this.queue.slice(this.head);
      this.head = 0;
      if (this.queue.length > 0) this.schedule();
      else for (const resolve of this.idle.splice(0)) resolve();
    }
  }

  /** The next request's records: queue order, skipping failed calls, up to `maxBatchBytes` (at least one). */
  private take(): Entry[] {
    const batch: Entry[] = [];
    let bytes = 0;
    const resend = this.queue[this.head]?.resend ?? 0;
    while (this.head < this.queue.length) {
      const entry = this.queue[this.head]!;
      if (entry.call.settled) {
        this.head++;
        continue;
      }
      // Resent records form a request of their own, exactly as before: their partitions' record
      // batches then carry the same sequence numbers and length as the first attempt, so a broker
      // that did write them answers "duplicate" with the original offsets instead of rejecting an
      // out-of-order sequence.
      if (entry.resend !== resend) break;
      if (resend === 0 && batch.length > 0 && bytes + entry.bytes > this.maxBatchBytes) break;
      entry.resend = 0;
      batch.push(entry);
      bytes += entry.bytes;
      this.head++;
    }
    // Drop consumed slots now and then, so a long-running queue does not grow without bound.
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return batch;
  }

  private async send(entries: Entry[]): Promise<void> {
    const topics = new Map<string, PartitionedRecord[]>();
    for (const e of entries) {
      const list = topics.get(e.topic);
      if (list) list.push(e.record);
      else topics.set(e.topic, [e.record]);
    }
    let results: PartitionResult[];
    try {
      results = await this.sender.send(topics);
    } catch (err) {
      const topicNames = [...topics.keys()];
      const error = toConnectError(err, `Producing to ${topicNames.join(', ')}`, topicNames.length === 1 ? { topic: topicNames[0] } : {});
      for (const e of entries) this.fail(e.call, error);
      await this.sender.reset().catch((resetErr: unknown) => this.logger.warn('Resetting the Kafka producer failed', { err: resetErr }));
      return;
    }
    const byPartition = new Map<string, PartitionResult>();
    for (const r of results) byPartition.set(`${r.topic}\u0000${r.partition}`, r);
    const positions = new Map<string, number>();
    const resend: Entry[] = [];
    for (const e of entries) {
      const key = `${e.topic}\u0000${e.record.partition}`;
      // Every record sent counts towards its partition's offsets, whatever becomes of its call.
      const position = positions.get(key) ?? 0;
      positions.set(key, position + 1);
      if (e.call.settled) continue;
      const result = byPartition.get(key);
      if (!result) {
        // kafkajs can report success without having sent a partition: when a retry finds the
        // partition's new leader among brokers that already answered, it skips that broker. Those
        // records were not written (or, if an earlier attempt reached the old leader, carry the same
        // sequence numbers and are deduplicated), so they go first into the next request.
        if (++e.unacknowledged < MAX_UNACKNOWLEDGED) resend.push(e);
        else {
          this.fail(e.call, new ConnectError(`The broker did not acknowledge ${e.topic}-${e.record.partition}`, {
            retriable: true,
            context: { topic: e.topic, partition: e.record.partition },
          }));
        }
        continue;
      }
      e.call.acks[e.index] = {
        topic: e.topic,
        partition: e.record.partition,
        offset: result.baseOffset + position,
        timestamp: result.logAppendTime >= 0 ? result.logAppendTime : e.record.timestamp,
      };
      if (--e.call.remaining === 0) {
        e.call.settled = true;
        e.call.resolve(e.call.acks as ProduceAck[]);
      }
    }
    if (resend.length > 0) {
      this.logger.debug('Resending records of partitions the producer left out', { records: resend.length });
      const mark = ++this.resendMarks;
      for (const e of resend) e.resend = mark;
      this.queue.splice(this.head, 0, ...resend);
    }
  }

  private fail(call: Call, err: unknown): void {
    if (call.settled) return;
    call.settled = true;
    call.reject(err);
  }
}
