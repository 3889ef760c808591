import { DataError, isStruct, type SinkRecord } from '@sluice/core';

/** Confluent's `timestamp.extractor` values. */
export type TimestampExtractorName = 'Wallclock' | 'Record' | 'RecordField';

/** Gives a record's time in epoch ms. Throws DataError when the record has none. */
export type TimestampExtractor = (record: SinkRecord, nowMs: number) => number;

/** Accepted spellings of `timestamp.extractor`: short names and Confluent's class names. */
export const TIMESTAMP_EXTRACTOR_NAMES: Readonly<Record<string, TimestampExtractorName>> = Object.freeze({
  Wallclock: 'Wallclock',
  Record: 'Record',
  RecordField: 'RecordField',
  'io.confluent.connect.storage.partitioner.TimeBasedPartitioner$WallclockTimestampExtractor': 'Wallclock',
  'io.confluent.connect.storage.partitioner.TimeBasedPartitioner$RecordTimestampExtractor': 'Record',
  'io.confluent.connect.storage.partitioner.TimeBasedPartitioner$RecordFieldTimestampExtractor': 'RecordField',
});

/**
 * Builds an extractor. `Wallclock` is the time of processing (not deterministic: a replay may
 * land elsewhere); `Record` the record's timestamp; `RecordField` a field of the value (dotted
 * path into nested structs and maps) holding epoch ms (number or bigint), a Date, or text
 * (digits = epoch ms, otherwise ISO-8601).
 */
export function timestampExtractor(name: TimestampExtractorName, field: string): TimestampExtractor {
  switch (name) {
    case 'Wallclock':
      return (_record, nowMs) => nowMs;
    case 'Record':
      return (record) => {
        if (record.timestamp === null) throw new DataError('record has no timestamp (timestamp.extractor=Record)');
        return record.timestamp;
      };
    case 'RecordField': {
      const path = field.split('.');
      return (record) => timeOf(fieldValue(record.value, path), field);
    }
  }
}

/** Reads a dotted path from a Struct, Map or plain object; undefined when absent. */
export function fieldValue(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const name of path) {
    if (current === null || current === undefined) return undefined;
    if (isStruct(current)) {
      if (current.schema.field(name) === undefined) return undefined;
      current = current.get(name);
    } else if (current instanceof Map) current = current.get(name);
    else if (typeof current === 'object' && !Array.isArray(current))
      current = (current as Record<string, unknown>)[name];
    else return undefined;
  }
  return current;
}

function timeOf(v: unknown, field: string): number {
  if (typeof v === 'number' && Number.isFinite(v)) return Math.trunc(v);
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date && !Number.isNaN(v.getTime())) return v.getTime();
  if (typeof v === 'string') {
    const text = v.trim();
    const ms = /^-?\d+$/.test(text) ? Number(text) : Date.parse(text);
    if (Number.isFinite(ms)) return ms;
  }
  if (v === null || v === undefined) throw new DataError(`record has no timestamp field "${field}"`);
  throw new DataError(`timestamp field "${field}" is neither epoch milliseconds, a Date nor an ISO-8601 string`);
}
