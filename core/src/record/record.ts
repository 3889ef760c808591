import type { Schema } from '../data/schema.js';

/** One record header. `schema` is null when the value's schema is unknown (schemaless). */
export interface Header {
  readonly key: string;
  readonly schema: Schema | null;
  readonly value: unknown;
}

/** Source partition / offset maps: string keys, primitive values (as Kafka Connect validates them). */
export type SourcePartition = Readonly<Record<string, string | number | boolean | null>>;
export type SourceOffset = Readonly<Record<string, string | number | boolean | null>>;

/** The fields every record has. Records are immutable: transforms return new records. */
export interface ConnectRecord {
  readonly topic: string;
  /** null lets the producer's partitioner choose (murmur2 over the key bytes) */
  readonly kafkaPartition: number | null;
  readonly keySchema: Schema | null;
  readonly key: unknown;
  readonly valueSchema: Schema | null;
  readonly value: unknown;
  /** epoch milliseconds, or null to use the time it is written */
  readonly timestamp: number | null;
  readonly headers: readonly Header[];
}

/** A record produced by a source task. */
export interface SourceRecord extends ConnectRecord {
  readonly kind: 'source';
  readonly sourcePartition: SourcePartition;
  readonly sourceOffset: SourceOffset;
}

export type TimestampType = 'NoTimestampType' | 'CreateTime' | 'LogAppendTime';

/** A record delivered to a sink task. */
export interface SinkRecord extends ConnectRecord {
  readonly kind: 'sink';
  readonly kafkaPartition: number;
  readonly kafkaOffset: number;
  readonly timestampType: TimestampType;
  /** topic/partition/offset before any transform renamed the topic (KIP-793) */
  readonly originalTopic: string;
  readonly originalKafkaPartition: number;
  readonly originalKafkaOffset: number;
}

export type AnyRecord = SourceRecord | SinkRecord;

export interface SourceRecordInit {
  sourcePartition: SourcePartition;
  sourceOffset: SourceOffset;
  topic: string;
  kafkaPartition?: number | null;
  keySchema?: Schema | null;
  key?: unknown;
  valueSchema?: Schema | null;
  value?: unknown;
  timestamp?: number | null;
  headers?: readonly Header[];
}

/** Builds a SourceRecord; unspecified fields default to null / empty. The result is frozen. */
export function sourceRecord(init: SourceRecordInit): SourceRecord {
  return Object.freeze({
    kind: 'source' as const,
    sourcePartition: init.sourcePartition,
    sourceOffset: init.sourceOffset,
    topic: init.topic,
    kafkaPartition: init.kafkaPartition ?? null,
    keySchema: init.keySchema ?? null,
    key: init.key ?? null,
    valueSchema: init.valueSchema ?? null,
    value: init.value ?? null,
    timestamp: init.timestamp ?? null,
    headers: Object.freeze([...(init.headers ?? [])]),
  });
}

export interface SinkRecordInit {
  topic: string;
  kafkaPartition: number;
  kafkaOffset: number;
  keySchema?: Schema | null;
  key?: unknown;
  valueSchema?: Schema | null;
  value?: unknown;
  timestamp?: number | null;
  timestampType?: TimestampType;
  headers?: readonly Header[];
  originalTopic?: string;
  originalKafkaPartition?: number;
  originalKafkaOffset?: number;
}

/** Builds a SinkRecord; the result is frozen. */
export function sinkRecord(init: SinkRecordInit): SinkRecord {
  return Object.freeze({
    kind: 'sink' as const,
    topic: init.topic,
    kafkaPartition: init.kafkaPartition,
    kafkaOffset: init.kafkaOffset,
    keySchema: init.keySchema ?? null,
    key: init.key ?? null,
    valueSchema: init.valueSchema ?? null,
    value: init.value ?? null,
    timestamp: init.timestamp ?? null,
    timestampType: init.timestampType ?? (init.timestamp == null ? 'NoTimestampType' : 'CreateTime'),
    headers: Object.freeze([...(init.headers ?? [])]),
    originalTopic: init.originalTopic ?? init.topic,
    originalKafkaPartition: init.originalKafkaPartition ?? init.kafkaPartition,
    originalKafkaOffset: init.originalKafkaOffset ?? init.kafkaOffset,
  });
}

/**
 * Returns a copy of `record` with some fields replaced (what transforms use). Keeps the record's kind
 * and its source or sink coordinates.
 */
export function withRecord<R extends AnyRecord>(record: R, changes: Partial<Omit<ConnectRecord, never>>): R {
  return Object.freeze({ ...record, ...changes, headers: Object.freeze([...(changes.headers ?? record.headers)]) }) as R;
}

/** Topic + partition coordinates in the log. */
export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** Canonical string form `topic-partition`, used as a Map key. */
export function tpKey(tp: TopicPartition): string {
  return `${tp.topic}-${tp.partition}`;
}
