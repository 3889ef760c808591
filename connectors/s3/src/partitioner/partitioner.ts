import { DataError, isDecimalValue, type SinkRecord } from '@sluice/core';
import { compilePathFormat, type PathFormatter } from './path-format.js';
import {
  fieldValue,
  timestampExtractor,
  type TimestampExtractor,
  type TimestampExtractorName,
} from './timestamp-extractor.js';
import { fromLocalMs, toLocalMs, zoneOffsetMs } from './time-zone.js';

export type PartitionerName = 'default' | 'field' | 'time' | 'daily' | 'hourly';

/** Accepted `partitioner.class` values: Confluent's class names and short names. */
export const PARTITIONER_CLASS_NAMES: Readonly<Record<string, PartitionerName>> = Object.freeze({
  default: 'default',
  field: 'field',
  time: 'time',
  daily: 'daily',
  hourly: 'hourly',
  'io.confluent.connect.storage.partitioner.DefaultPartitioner': 'default',
  'io.confluent.connect.storage.partitioner.FieldPartitioner': 'field',
  'io.confluent.connect.storage.partitioner.TimeBasedPartitioner': 'time',
  'io.confluent.connect.storage.partitioner.DailyPartitioner': 'daily',
  'io.confluent.connect.storage.partitioner.HourlyPartitioner': 'hourly',
});

/** The presets Confluent's Daily and Hourly partitioners fix. */
export const TIME_PRESETS: Readonly<Record<'daily' | 'hourly', { pathFormat: string; durationMs: number }>> =
  Object.freeze({
    daily: { pathFormat: "'year'=YYYY/'month'=MM/'day'=dd", durationMs: 86_400_000 },
    hourly: { pathFormat: "'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH", durationMs: 3_600_000 },
  });

export interface PartitionerSettings {
  readonly name: PartitionerName;
  /** `partition.field.name` */
  readonly fieldNames: readonly string[];
  /** `path.format` (time partitioners; daily/hourly use their preset) */
  readonly pathFormat: string;
  /** `partition.duration.ms` (time partitioners; daily/hourly use their preset) */
  readonly partitionDurationMs: number;
  readonly locale: string;
  readonly timezone: string;
  readonly timestampExtractor: TimestampExtractorName;
  readonly timestampField: string;
  /** `directory.delim`, joining the parts of a field partition */
  readonly directoryDelim: string;
}

/**
 * Decides the directory (below `<topics.dir>/<topic>/`) a record's object goes to. Must be a pure
 * function of the record and `nowMs`; `deterministic` says whether it ignores `nowMs`, which is
 * what exactly-once replays need.
 */
export interface Partitioner {
  /** e.g. `partition=3`, `region=eu/color=red`, `year=2024/month=01/day=02`. Throws DataError when the record lacks what is needed. */
  encodePartition(record: SinkRecord, nowMs: number): string;
  readonly deterministic: boolean;
}

/** Builds the configured partitioner. Throws ConfigValidationError on a bad path format or locale. */
export function createPartitioner(settings: PartitionerSettings): Partitioner {
  switch (settings.name) {
    case 'default':
      return { deterministic: true, encodePartition: (record) => `partition=${record.kafkaPartition}` };
    case 'field':
      return fieldPartitioner(settings.fieldNames, settings.directoryDelim);
    case 'time':
      return timePartitioner(settings.pathFormat, settings.partitionDurationMs, settings);
    case 'daily':
    case 'hourly': {
      const preset = TIME_PRESETS[settings.name];
      return timePartitioner(preset.pathFormat, preset.durationMs, settings);
    }
  }
}

/**
 * `<name>=<value>` per field, joined by the directory delimiter. Values must be strings, numbers or
 * booleans (as Confluent's FieldPartitioner requires); names may be dotted paths into nested values.
 */
function fieldPartitioner(fieldNames: readonly string[], delim: string): Partitioner {
  const paths = fieldNames.map((f) => ({ name: f, path: f.split('.') }));
  return {
    deterministic: true,
    encodePartition(record) {
      return paths
        .map(({ name, path }) => {
          const v = fieldValue(record.value, path);
          if (v === null || v === undefined) throw new DataError(`record has no value for partition field "${name}"`);
          if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'bigint' && typeof v !== 'boolean') {
            throw new DataError(
              `partition field "${name}" must be a string, number or boolean, not ${isDecimalValue(v) ? 'a Decimal' : typeof v}`,
            );
          }
          return `${name}=${String(v)}`;
        })
        .join(delim);
    },
  };
}

/**
 * Buckets the record's time (by `timestamp.extractor`) into windows of `durationMs` aligned to
 * the wall clock of `timezone`, and formats the window's start with `pathFormat`.
 */
function timePartitioner(pathFormat: string, durationMs: number, settings: PartitionerSettings): Partitioner {
  const format: PathFormatter = compilePathFormat(pathFormat, settings.locale);
  const extract: TimestampExtractor = timestampExtractor(settings.timestampExtractor, settings.timestampField);
  const zone = settings.timezone;
  return {
    deterministic: settings.timestampExtractor !== 'Wallclock',
    encodePartition(record, nowMs) {
      return formatWindow(extract(record, nowMs), durationMs, zone, format);
    },
  };
}

/** The formatted start of the `durationMs` window (aligned in `zone`) that holds `utcMs`. */
export function formatWindow(utcMs: number, durationMs: number, zone: string, format: PathFormatter): string {
  const windowStart = Math.floor(toLocalMs(zone, utcMs) / durationMs) * durationMs;
  return format(windowStart, zoneOffsetMs(zone, fromLocalMs(zone, windowStart)));
}
