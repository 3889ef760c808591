import {
  ConfigValidationError,
  parseConfig,
  type ConfigFieldError,
  type ConfigSchema,
  type ConfigValidationResult,
  type ConnectorConfig,
} from '@sluice/core';
import { FORMAT_CLASS_NAMES, type FormatName } from '../format/record-format.js';
import { propertyMaker } from '../sink/s3-sink-properties.js';
import { unescapeSeparator } from '../sink/s3-sink-config.js';
import {
  connectionSettings,
  CREDENTIAL_PAIRS,
  s3ConnectionProperties,
  type S3ConnectionSettings,
} from '../storage/s3-connection-config.js';

/**
 * `RESTORE_BACKUP` reads the S3 sink's layout and writes records back to their original topic and
 * partition; `GENERIC` reads any objects under a prefix into one topic.
 */
export type SourceMode = 'RESTORE_BACKUP' | 'GENERIC';

/** Validated S3 source settings (frozen). */
export interface S3SourceSettings {
  readonly connection: S3ConnectionSettings;
  readonly mode: SourceMode;
  readonly format: FormatName;
  readonly envelope: boolean;
  /** key prefix read (the sink's `topics.dir` in restore mode), without a trailing delimiter */
  readonly topicsDir: string;
  readonly directoryDelim: string;
  readonly fileDelim: string;
  /** GENERIC: destination topic */
  readonly topic: string | null;
  readonly bytesSeparator: Uint8Array;
  readonly pollIntervalMs: number;
  readonly batchMaxRecords: number;
  readonly customerKey: string | null;
}

/** Task config keys the connector adds to split the objects between tasks. */
export const TASK_INDEX_KEY = 'sluice.s3.task.index';
export const TASK_COUNT_KEY = 'sluice.s3.task.count';

/** The source's config schema: connection keys as the sink, plus mode, format and polling. */
export function s3SourceConfigSchema(): ConfigSchema {
  const p = propertyMaker(100);
  return {
    type: 'object',
    properties: {
      ...s3ConnectionProperties(),
      mode: p('Source', 'Mode', {
        type: 'string',
        enum: ['RESTORE_BACKUP', 'GENERIC'],
        default: 'RESTORE_BACKUP',
        'x-importance': 'HIGH',
        description:
          "RESTORE_BACKUP: read what the S3 sink wrote under topics.dir and produce each record to the topic and partition it came from (with key, headers and timestamp when the sink stored envelopes). GENERIC: read every object under topics.dir, in key order, into 'topic'.",
      }),
      'format.class': p('Source', 'Format class', {
        type: 'string',
        enum: Object.keys(FORMAT_CLASS_NAMES),
        'x-importance': 'HIGH',
        'x-type': 'CLASS',
        description:
          'Object format: json (JSON lines), csv (with header), parquet, bytes (split on format.bytearray.separator) or lines (each line a string). gzip-compressed objects are recognised and decompressed.',
      }),
      'store.envelope': p('Source', 'Records have envelopes', {
        type: 'boolean',
        default: false,
        description:
          'The objects were written by the S3 sink with store.envelope=true: restore keys, headers, timestamps and schemas from them.',
      }),
      'topics.dir': p('Source', 'Topics directory', {
        type: 'string',
        default: 'topics',
        'x-importance': 'HIGH',
        description:
          "Key prefix to read: the sink's topics.dir in RESTORE_BACKUP mode, any prefix in GENERIC mode. Empty: the whole bucket.",
      }),
      topic: p('Source', 'Topic', {
        type: 'string',
        'x-importance': 'HIGH',
        description: 'GENERIC mode: the topic every record is written to.',
      }),
      'directory.delim': p('Source', 'Directory delimiter', {
        type: 'string',
        minLength: 1,
        default: '/',
        'x-importance': 'LOW',
        description: 'Delimiter between the directories of an object key (as the sink wrote it).',
      }),
      'file.delim': p('Source', 'File delimiter', {
        type: 'string',
        minLength: 1,
        default: '+',
        'x-importance': 'LOW',
        description: 'Delimiter between topic, partition and start offset in object names (as the sink wrote it).',
      }),
      'format.bytearray.separator': p('Source', 'Byte array separator', {
        type: 'string',
        'x-importance': 'LOW',
        description:
          'bytes format: separator between records (\\n, \\r, \\t, \\\\ understood). Default: a line break; empty: each object is one record.',
      }),
      's3.poll.interval.ms': p('Source', 'Poll interval (ms)', {
        type: 'integer',
        minimum: 10,
        default: 60_000,
        description: 'How often the bucket is listed for new objects once everything known has been read.',
      }),
      'record.batch.max.size': p('Source', 'Max batch size', {
        type: 'integer',
        minimum: 1,
        default: 200,
        'x-importance': 'LOW',
        description: 'Most records returned by one poll.',
      }),
      's3.sse.customer.key': p('Source', 'SSE-C customer key', {
        type: 'string',
        'x-secret': true,
        'x-importance': 'LOW',
        description: 'Base64 AES-256 key the objects were written with (SSE-C).',
      }),
    },
    required: ['s3.bucket.name', 'format.class'],
    dependentRequired: { ...CREDENTIAL_PAIRS },
  };
}

type Raw = Readonly<Record<string, unknown>>;

/** Cross-field problems the schema cannot express. */
export function sourceConfigProblems(raw: Raw): ConfigFieldError[] {
  const problems: ConfigFieldError[] = [];
  const format = FORMAT_CLASS_NAMES[raw['format.class'] as string];
  if (format === 'avro')
    problems.push({ name: 'format.class', errors: ['Avro is not supported by this connector; use parquet or json'] });
  if (raw['store.envelope'] === true && (format === 'bytes' || format === 'lines')) {
    problems.push({
      name: 'store.envelope',
      errors: [`the ${format} format has no envelopes; use json, csv or parquet`],
    });
  }
  if (raw['mode'] === 'GENERIC' && ((raw['topic'] as string | undefined) ?? '') === '') {
    problems.push({ name: 'topic', errors: ['GENERIC mode needs the topic to write records to'] });
  }
  if (typeof raw['topic'] === 'string' && raw['topic'].includes(','))
    problems.push({ name: 'topic', errors: ['topic must name a single topic'] });
  return problems;
}

/** Cross-field validation for the REST validate endpoint. Never throws. */
export function validateSourceConfig(config: ConnectorConfig): ConfigValidationResult {
  let raw: Raw;
  try {
    raw = parseConfig(s3SourceConfigSchema(), config);
  } catch {
    return { configs: [] };
  }
  return {
    configs: sourceConfigProblems(raw).map((p) => ({
      name: p.name,
      value: config[p.name] ?? null,
      recommendedValues: [],
      errors: p.errors,
      visible: true,
    })),
  };
}

/** Parses a source config. Throws ConfigValidationError naming every bad key. */
export function parseSourceConfig(config: ConnectorConfig): S3SourceSettings {
  const raw = parseConfig(s3SourceConfigSchema(), config);
  const problems = sourceConfigProblems(raw);
  if (problems.length > 0) {
    throw new ConfigValidationError(
      `Invalid S3 source configuration: ${problems.flatMap((p) => p.errors.map((e) => `${p.name}: ${e}`)).join('; ')}`,
      problems,
    );
  }
  const delim = raw['directory.delim'] as string;
  const separator = raw['format.bytearray.separator'] as string | undefined;
  const topic = raw['topic'] as string | undefined;
  const customerKey = raw['s3.sse.customer.key'] as string | undefined;
  return Object.freeze({
    connection: connectionSettings(raw),
    mode: raw['mode'] as SourceMode,
    format: FORMAT_CLASS_NAMES[raw['format.class'] as string] as FormatName,
    envelope: raw['store.envelope'] as boolean,
    topicsDir: (raw['topics.dir'] as string)
      .split(delim)
      .filter((s) => s !== '')
      .join(delim),
    directoryDelim: delim,
    fileDelim: raw['file.delim'] as string,
    topic: topic === undefined || topic === '' ? null : topic,
    bytesSeparator: new TextEncoder().encode(separator === undefined ? '\n' : unescapeSeparator(separator)),
    pollIntervalMs: raw['s3.poll.interval.ms'] as number,
    batchMaxRecords: raw['record.batch.max.size'] as number,
    customerKey: customerKey === undefined || customerKey === '' ? null : customerKey,
  });
}
