import { sinkRecord, type Header, type Schema, type SinkRecord } from '@sluice/core';

/** Optional fields shared by every record `sinkRecords` builds. */
export interface SinkRecordsOptions {
  readonly valueSchema?: Schema | null;
  readonly keySchema?: Schema | null;
  /** One key for every record. Default null. */
  readonly key?: unknown;
  /** A key per record, by index within `values`; wins over `key`. */
  readonly keyFor?: (index: number) => unknown;
  /** Timestamp of the first record; later records get +1 ms each. Default: null (no timestamp). */
  readonly timestamp?: number;
  readonly headers?: readonly Header[];
}

/**
 * Builds consecutive SinkRecords for one topic-partition, as the runtime would deliver them: the
 * i-th value gets offset `startOffset + i`. Returns frozen records; `values` is not modified.
 */
export function sinkRecords(
  topic: string,
  partition: number,
  values: readonly unknown[],
  startOffset = 0,
  options: SinkRecordsOptions = {},
): SinkRecord[] {
  const keyFor = options.keyFor ?? (() => options.key ?? null);
  return values.map((value, i) =>
    sinkRecord({
      topic,
      kafkaPartition: partition,
      kafkaOffset: startOffset + i,
      keySchema: options.keySchema ?? null,
      key: keyFor(i),
      valueSchema: options.valueSchema ?? null,
      value,
      timestamp: options.timestamp === undefined ? null : options.timestamp + i,
      headers: options.headers ?? [],
    }),
  );
}
