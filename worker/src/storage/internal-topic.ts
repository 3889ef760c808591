import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@sluice/core';
import { noopLogger } from '@sluice/core';
import type { Log, LogRecord, TopicSpec } from '../log/log.js';

/** Called for every record of the topic, in order per partition, exactly once per record read. */
export type RecordCallback = (record: LogRecord) => void;

export interface InternalTopicOptions {
  log: Log;
  topic: TopicSpec;
  onRecord: RecordCallback;
  logger?: Logger;
  /** Fail start when the topic is not compacted (distributed mode insists; see reference §3.2). */
  requireCompaction?: boolean;
  /** Require exactly this many partitions (the config topic must have exactly 1). */
  requirePartitions?: number;
  /** Backoff between tail fetches when a fetch fails. */
  retryBackoffMs?: number;
}

/**
 * A compacted internal topic read by every worker from the beginning (Kafka Connect's KafkaBasedLog):
 * `start()` creates or verifies the topic and reads it to the end before resolving; a background loop
 * then tails every partition and feeds `onRecord`; `readToEnd()` resolves once everything written
 * before the call has been delivered (read-your-writes for writers that call `send` then `readToEnd`).
 */
export class InternalTopic {
  private readonly log: Log;
  private readonly spec: TopicSpec;
  private readonly onRecord: RecordCallback;
  private readonly logger: Logger;
  private readonly options: InternalTopicOptions;
  private positions: number[] = [];
  private readonly abort = new AbortController();
  /** aborted to cut a tail long-poll short when a `readToEnd` caller is waiting */
  private wake = new AbortController();
  private tailLoop: Promise<void> | null = null;
  private waiters: { target: number[]; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private stopped = false;

  constructor(options: InternalTopicOptions) {
    this.options = options;
    this.log = options.log;
    this.spec = options.topic;
    this.onRecord = options.onRecord;
    this.logger = options.logger ?? noopLogger;
  }

  get topic(): string {
    return this.spec.name;
  }

  async start(): Promise<void> {
    await this.log.createTopic(this.spec);
    const description = await this.log.describeTopic(this.spec.name);
    if (!description) throw new Error(`Internal topic ${this.spec.name} could not be created`);
    const policy = description.configs['cleanup.policy'] ?? 'delete';
    if (this.options.requireCompaction && policy !== 'compact') {
      throw new Error(
        `Internal topic ${this.spec.name} must have cleanup.policy=compact but has cleanup.policy=${policy}; ` +
          `fix it with: kafka-configs --alter --entity-type topics --entity-name ${this.spec.name} --add-config cleanup.policy=compact`,
      );
    }
    if (this.options.requirePartitions !== undefined && description.partitions !== this.options.requirePartitions) {
      throw new Error(
        `Internal topic ${this.spec.name} must have exactly ${this.options.requirePartitions} partition(s) ` +
          `(property: partitions) but has ${description.partitions}`,
      );
    }
    this.positions = (await this.log.startOffsets(this.spec.name)).slice();
    await this.catchUp(await this.log.endOffsets(this.spec.name));
    this.tailLoop = this.tail();
  }

  /** Appends a record (null value = tombstone) and resolves when it is durable in the log. */
  async send(key: string | Buffer, value: Buffer | null): Promise<void> {
    await this.log.produce(this.spec.name, [{ key: typeof key === 'string' ? Buffer.from(key, 'utf8') : key, value }]);
  }

  /** Resolves once every record written before this call has been passed to `onRecord`. */
  async readToEnd(): Promise<void> {
    const end = await this.log.endOffsets(this.spec.name);
    if (this.reached(end)) return;
    await new Promise<void>((resolve, reject) => {
      this.waiters.push({ target: end, resolve, reject });
      this.wake.abort();
    });
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.abort.abort();
    await this.tailLoop?.catch(() => undefined);
    for (const w of this.waiters) w.reject(new Error(`Internal topic ${this.spec.name} stopped`));
    this.waiters = [];
  }

  private reached(target: number[]): boolean {
    return target.every((end, p) => (this.positions[p] ?? 0) >= end);
  }

  private async catchUp(target: number[]): Promise<void> {
    for (let p = 0; p < target.length; p++) {
      while ((this.positions[p] ?? 0) < (target[p] ?? 0)) {
        const records = await this.log.fetch(this.spec.name, p, this.positions[p] ?? 0, { maxRecords: 1000 });
        if (records.length === 0) break; // compacted hole at the tail: nothing more to read below target
        this.deliver(p, records);
      }
      if ((this.positions[p] ?? 0) < (target[p] ?? 0)) this.positions[p] = target[p] ?? 0;
    }
  }

  private deliver(partition: number, records: LogRecord[]): void {
    for (const record of records) {
      try {
        this.onRecord(record);
      } catch (err) {
        this.logger.error('Failed to apply internal record; skipping it', {
          topic: this.spec.name,
          partition,
          offset: record.offset,
          err,
        });
      }
      this.positions[partition] = record.offset + 1;
    }
  }

  private async tail(): Promise<void> {
    const signal = this.abort.signal;
    const partitions = this.positions.length;
    const backoff = this.options.retryBackoffMs ?? 500;
    while (!signal.aborted) {
      if (this.wake.signal.aborted) this.wake = new AbortController();
      const fetchSignal = AbortSignal.any([signal, this.wake.signal]);
      try {
        // One long-poll per partition, in turn; the internal topics have few partitions and little traffic.
        let any = false;
        for (let p = 0; p < partitions && !signal.aborted; p++) {
          const records = await this.log.fetch(this.spec.name, p, this.positions[p] ?? 0, {
            maxRecords: 1000,
            maxWaitMs: partitions === 1 && this.waiters.length === 0 ? 500 : 0,
            signal: fetchSignal,
          });
          if (records.length > 0) {
            any = true;
            this.deliver(p, records);
          }
        }
        if (this.waiters.length > 0) {
          const end = await this.log.endOffsets(this.spec.name);
          await this.catchUp(end);
          this.releaseWaiters();
        }
        if (!any && partitions > 1 && this.waiters.length === 0) {
          await sleep(500, undefined, { signal: fetchSignal }).catch(() => undefined);
        }
      } catch (err) {
        if (signal.aborted) break;
        if (this.wake.signal.aborted) continue;
        this.logger.warn('Reading internal topic failed; retrying', { topic: this.spec.name, err });
        await sleep(backoff, undefined, { signal }).catch(() => undefined);
      }
    }
  }

  private releaseWaiters(): void {
    const pending: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (this.reached(w.target)) w.resolve();
      else pending.push(w);
    }
    this.waiters = pending;
  }
}
