import type { IHeaders } from 'kafkajs';
import type { LogHeader, LogRecord } from '../../log/log.js';
import type { FetchedMessage } from './kafkajs-internals.js';

/**
 * Port headers → kafkajs headers. kafkajs keys headers by name, so repeated names become an array
 * (written as repeated headers, in order); headers of different names keep the order of their first
 * occurrence only — an interleaving like a,b,a is written as a,a,b. kafkajs cannot write a null
 * header value (its size computation throws), so a null value is written as an empty one.
 */
export function toKafkaHeaders(headers: readonly LogHeader[] | undefined): IHeaders | undefined {
  if (headers === undefined || headers.length === 0) return undefined;
  const out = new Map<string, Buffer[]>();
  for (const { key, value } of headers) {
    const values = out.get(key) ?? [];
    values.push(value ?? EMPTY);
    out.set(key, values);
  }
  const result: IHeaders = {};
  for (const [key, values] of out) result[key] = values.length === 1 ? values[0]! : values;
  return result;
}

const EMPTY = Buffer.alloc(0);

/** kafkajs decoded headers → port headers. */
export function fromKafkaHeaders(headers: FetchedMessage['headers'] | IHeaders | undefined): LogHeader[] {
  if (!headers) return [];
  const out: LogHeader[] = [];
  for (const [key, value] of Object.entries(headers)) {
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) out.push({ key, value: v === undefined || v === null ? null : Buffer.isBuffer(v) ? v : Buffer.from(String(v)) });
  }
  return out;
}

/** The fields of a decoded record that the port keeps (a Fetch record or a kafkajs consumer message). */
export interface DecodedMessage {
  readonly offset: string;
  readonly timestamp: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: FetchedMessage['headers'] | IHeaders;
}

/** A decoded record → the port's record. */
export function toLogRecord(topic: string, partition: number, message: DecodedMessage): LogRecord {
  return {
    topic,
    partition,
    offset: Number(message.offset),
    key: message.key,
    value: message.value,
    headers: fromKafkaHeaders(message.headers),
    timestamp: Number(message.timestamp),
  };
}

/** Rough serialized size of a record, for batch sizing (record overhead ≈ 24 bytes of varints). */
export function estimateRecordBytes(key: Buffer | null, value: Buffer | null, headers: readonly LogHeader[] | undefined): number {
  let size = 24 + (key?.length ?? 0) + (value?.length ?? 0);
  if (headers) for (const h of headers) size += 4 + Buffer.byteLength(h.key) + (h.value?.length ?? 0);
  return size;
}
