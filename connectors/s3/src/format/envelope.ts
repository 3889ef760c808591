import { DataError, type Header, type SinkRecord } from '@sluice/core';
import type { ConnectJson } from './connect-json.js';
import { splitJsonArray, splitJsonObject } from './json-spans.js';
import type { DecodedRecord } from './record-format.js';

/**
 * The record envelope (`store.envelope=true`): everything needed to restore a record exactly —
 * topic, partition, offset, timestamp and its type, and key, value and headers each as
 * `{"schema":…,"payload":…}` JSON. As one JSON line:
 *
 * `{"topic":"orders","partition":0,"offset":42,"timestamp":1700000000000,"timestampType":"CreateTime",
 *   "key":{"schema":…,"payload":…},"value":{…},"headers":[{"key":"trace","value":{…}}]}`
 *
 * CSV and Parquet store the same parts in columns (`ENVELOPE_COLUMNS`).
 */
export const ENVELOPE_COLUMNS = Object.freeze([
  'topic',
  'partition',
  'offset',
  'timestamp',
  'timestampType',
  'key',
  'headers',
  'value',
] as const);

/** Renders key, value and headers of a record as envelope JSON parts. Throws DataError on a bad value. */
export function envelopeParts(record: SinkRecord, json: ConnectJson): { key: string; value: string; headers: string } {
  const headers = record.headers.map(
    (h) => `{"key":${JSON.stringify(h.key)},"value":${json.enveloped(h.schema, h.value)}}`,
  );
  return {
    key: json.enveloped(record.keySchema, record.key),
    value: json.enveloped(record.valueSchema, record.value),
    headers: `[${headers.join(',')}]`,
  };
}

/** One JSON line (without the newline). */
export function envelopeLine(record: SinkRecord, json: ConnectJson): string {
  const p = envelopeParts(record, json);
  return (
    `{"topic":${JSON.stringify(record.topic)},"partition":${record.kafkaPartition},"offset":${record.kafkaOffset},` +
    `"timestamp":${record.timestamp ?? 'null'},"timestampType":${JSON.stringify(record.timestampType)},` +
    `"key":${p.key},"value":${p.value},"headers":${p.headers}}`
  );
}

/** Reads the headers part back. */
export function headersFromJson(text: string, json: ConnectJson): Header[] {
  if (text === '' || text === 'null') return [];
  return splitJsonArray(text).map((item) => {
    const members = splitJsonObject(item);
    const key = JSON.parse(members.get('key') ?? 'null') as unknown;
    if (typeof key !== 'string') throw new DataError('envelope header without a string "key"');
    const sv = json.fromEnveloped(members.get('value') ?? 'null');
    return { key, schema: sv.schema, value: sv.value };
  });
}

/** Reads envelope parts (as strings; numbers may be given as text) into a decoded record. */
export function fromEnvelopeParts(
  parts: {
    topic: unknown;
    partition: unknown;
    offset: unknown;
    timestamp: unknown;
    key: string;
    value: string;
    headers: string;
  },
  json: ConnectJson,
): DecodedRecord {
  const key = json.fromEnveloped(parts.key === '' ? 'null' : parts.key);
  const value = json.fromEnveloped(parts.value === '' ? 'null' : parts.value);
  const topic = parts.topic;
  if (typeof topic !== 'string' || topic === '') throw new DataError('envelope without a topic');
  return {
    topic,
    partition: integerOrNull(parts.partition, 'partition'),
    offset: integerOrNull(parts.offset, 'offset'),
    timestamp: integerOrNull(parts.timestamp, 'timestamp'),
    keySchema: key.schema,
    key: key.value,
    valueSchema: value.schema,
    value: value.value,
    headers: headersFromJson(parts.headers, json),
  };
}

/** Reads one envelope JSON line. Throws DataError when the line is not an envelope. */
export function fromEnvelopeLine(line: string, json: ConnectJson): DecodedRecord {
  const m = splitJsonObject(line);
  const scalar = (name: string): unknown => JSON.parse(m.get(name) ?? 'null') as unknown;
  return fromEnvelopeParts(
    {
      topic: scalar('topic'),
      partition: scalar('partition'),
      offset: scalar('offset'),
      timestamp: scalar('timestamp'),
      key: m.get('key') ?? 'null',
      value: m.get('value') ?? 'null',
      headers: m.get('headers') ?? '[]',
    },
    json,
  );
}

function integerOrNull(v: unknown, what: string): number | null {
  if (v === null || v === undefined || v === '') return null;
  const n = typeof v === 'bigint' ? Number(v) : typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw new DataError(`envelope ${what} is not an integer`);
  return n;
}
