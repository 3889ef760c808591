import type { ObjectCannedACL, ServerSideEncryption, StorageClass } from '@aws-sdk/client-s3';
import {
  ConfigValidationError,
  parseConfig,
  type ConfigFieldError,
  type ConfigSchema,
  type ConfigValidationResult,
  type ConnectorConfig,
} from '@sluice/core';
import type { JsonDecimalFormat } from '../format/connect-json.js';
import { fileExtension, type WritableFormat } from '../format/format-registry.js';
import { FORMAT_CLASS_NAMES, type CompressionType, type ParquetCodec } from '../format/record-format.js';
import { createPartitioner, PARTITIONER_CLASS_NAMES, type PartitionerSettings } from '../partitioner/partitioner.js';
import { TIMESTAMP_EXTRACTOR_NAMES } from '../partitioner/timestamp-extractor.js';
import { isValidTimeZone } from '../partitioner/time-zone.js';
import {
  connectionSettings,
  CREDENTIAL_PAIRS,
  s3ConnectionProperties,
  type S3ConnectionSettings,
} from '../storage/s3-connection-config.js';
import type { ObjectWriteOptions } from '../storage/s3-object-store.js';
import type { KeyLayout } from './object-key.js';
import { sinkProperties } from './s3-sink-properties.js';

export type NullValueBehavior = 'fail' | 'ignore' | 'write';

/** Validated S3 sink settings (frozen). */
export interface S3SinkSettings {
  readonly connection: S3ConnectionSettings;
  readonly format: WritableFormat;
  readonly compression: CompressionType;
  readonly compressionLevel: number;
  readonly parquetCodec: ParquetCodec;
  readonly parquetRowGroupRecords: number;
  readonly envelope: boolean;
  readonly decimalFormat: JsonDecimalFormat;
  readonly nullValues: NullValueBehavior;
  readonly bytesSeparator: Uint8Array;
  readonly keyLayout: KeyLayout;
  readonly partitioner: PartitionerSettings;
  readonly flushSize: number;
  /** -1 = off */
  readonly rotateIntervalMs: number;
  /** -1 = off */
  readonly rotateScheduleIntervalMs: number;
  readonly objectWrite: ObjectWriteOptions;
  /** tag objects with startOffset, endOffset and recordCount (`s3.object.tagging`) */
  readonly offsetTags: boolean;
  /** fixed tags for every object (`s3.object.tags`) */
  readonly tags: Readonly<Record<string, string>>;
}

/** The sink's config schema: Confluent's S3 sink keys plus Sluice's envelope and tag keys. */
export function s3SinkConfigSchema(): ConfigSchema {
  return {
    type: 'object',
    properties: { ...s3ConnectionProperties(), ...sinkProperties() },
    required: ['s3.bucket.name', 'format.class', 'flush.size'],
    dependentRequired: { ...CREDENTIAL_PAIRS },
  };
}

/** Turns `\n`, `\r`, `\t` and `\\` in a configured separator into the characters. */
export function unescapeSeparator(text: string): string {
  return text.replace(/\\([nrt\\])/g, (_m, c: string) => ({ n: '\n', r: '\r', t: '\t', '\\': '\\' })[c] as string);
}

type Raw = Readonly<Record<string, unknown>>;

/** Cross-field problems the schema cannot express (empty when the config is consistent). */
export function sinkConfigProblems(raw: Raw): ConfigFieldError[] {
  const problems: ConfigFieldError[] = [];
  const add = (name: string, error: string): void => {
    const existing = problems.find((p) => p.name === name);
    if (existing) existing.errors.push(error);
    else problems.push({ name, errors: [error] });
  };
  const format = FORMAT_CLASS_NAMES[raw['format.class'] as string];
  if (format === 'avro')
    add('format.class', 'Avro is not supported by this connector; use parquet (typed columns) or json');
  if (format === 'lines')
    add('format.class', 'the lines format can only be read (S3 source); the sink writes json, csv, parquet or bytes');
  if (format === 'bytes' && raw['store.envelope'] === true)
    add('store.envelope', 'the bytes format has no room for an envelope; use json, csv or parquet');
  if (format === 'parquet' && raw['s3.compression.type'] === 'gzip') {
    add('s3.compression.type', 'applies to json, csv and bytes; Parquet compresses its pages by parquet.codec');
  }
  const partitioner = PARTITIONER_CLASS_NAMES[raw['partitioner.class'] as string];
  if (partitioner === 'field' && ((raw['partition.field.name'] as string[] | undefined) ?? []).length === 0) {
    add('partition.field.name', 'the field partitioner needs at least one field name');
  }
  if (partitioner === 'time') {
    if (((raw['path.format'] as string | undefined) ?? '') === '')
      add('path.format', 'the time-based partitioner needs a path.format');
    if (((raw['partition.duration.ms'] as number | undefined) ?? -1) <= 0)
      add('partition.duration.ms', 'the time-based partitioner needs a positive partition.duration.ms');
  }
  if (!isValidTimeZone(raw['timezone'] as string)) add('timezone', `unknown time zone "${String(raw['timezone'])}"`);
  if (raw['s3.sse.kms.key.id'] && raw['s3.ssea.name'] !== 'aws:kms' && raw['s3.ssea.name'] !== 'aws:kms:dsse') {
    add('s3.sse.kms.key.id', 'a KMS key needs s3.ssea.name=aws:kms (or aws:kms:dsse)');
  }
  if (raw['s3.sse.customer.key'] && raw['s3.ssea.name'])
    add('s3.sse.customer.key', 'SSE-C cannot be combined with s3.ssea.name');
  for (const tag of (raw['s3.object.tags'] as string[] | undefined) ?? []) {
    if (!/^[^=]+=.*$/.test(tag)) add('s3.object.tags', `"${tag}" is not key=value`);
  }
  if (problems.length === 0 && partitioner !== undefined) {
    try {
      createPartitioner(partitionerSettings(raw));
    } catch (err) {
      if (!ConfigValidationError.is(err)) throw err;
      for (const f of err.fields) for (const e of f.errors) add(f.name, e);
    }
  }
  return problems;
}

function partitionerSettings(raw: Raw): PartitionerSettings {
  return {
    name: PARTITIONER_CLASS_NAMES[raw['partitioner.class'] as string] ?? 'default',
    fieldNames: (raw['partition.field.name'] as string[] | undefined) ?? [],
    pathFormat: (raw['path.format'] as string | undefined) ?? '',
    partitionDurationMs: raw['partition.duration.ms'] as number,
    locale: raw['locale'] as string,
    timezone: raw['timezone'] as string,
    timestampExtractor: TIMESTAMP_EXTRACTOR_NAMES[raw['timestamp.extractor'] as string] ?? 'Wallclock',
    timestampField: raw['timestamp.field'] as string,
    directoryDelim: raw['directory.delim'] as string,
  };
}

/** Validates cross-field rules for the REST validate endpoint. Never throws. */
export function validateSinkConfig(config: ConnectorConfig): ConfigValidationResult {
  let raw: Raw;
  try {
    raw = parseConfig(s3SinkConfigSchema(), config);
  } catch {
    // schema-level errors are reported by the framework's own validation
    return { configs: [] };
  }
  return {
    configs: sinkConfigProblems(raw).map((p) => ({
      name: p.name,
      value: config[p.name] ?? null,
      recommendedValues: [],
      errors: p.errors,
      visible: true,
    })),
  };
}

/** Parses a sink config for `start`. Throws ConfigValidationError naming every bad key. */
export function parseSinkConfig(config: ConnectorConfig): S3SinkSettings {
  const raw = parseConfig(s3SinkConfigSchema(), config);
  const problems = sinkConfigProblems(raw);
  if (problems.length > 0) {
    throw new ConfigValidationError(
      `Invalid S3 sink configuration: ${problems.flatMap((p) => p.errors.map((e) => `${p.name}: ${e}`)).join('; ')}`,
      problems,
    );
  }
  const format = FORMAT_CLASS_NAMES[raw['format.class'] as string] as WritableFormat;
  const compression = raw['s3.compression.type'] as CompressionType;
  const parquetCodec = raw['parquet.codec'] as ParquetCodec;
  const separator = raw['format.bytearray.separator'] as string | undefined;
  const str = (k: string): string | undefined =>
    typeof raw[k] === 'string' && raw[k] !== '' ? (raw[k] as string) : undefined;
  const trimDelims = (s: string, d: string): string =>
    s
      .split(d)
      .filter((p) => p !== '')
      .join(d);
  const directoryDelim = raw['directory.delim'] as string;
  return Object.freeze({
    connection: connectionSettings(raw),
    format,
    compression,
    compressionLevel: raw['s3.compression.level'] as number,
    parquetCodec,
    parquetRowGroupRecords: raw['parquet.row.group.records'] as number,
    envelope: raw['store.envelope'] as boolean,
    decimalFormat: raw['json.decimal.format'] as JsonDecimalFormat,
    nullValues: raw['behavior.on.null.values'] as NullValueBehavior,
    bytesSeparator: new TextEncoder().encode(separator === undefined ? '\n' : unescapeSeparator(separator)),
    keyLayout: Object.freeze({
      topicsDir: trimDelims(raw['topics.dir'] as string, directoryDelim),
      directoryDelim,
      fileDelim: raw['file.delim'] as string,
      zeroPadWidth: raw['filename.offset.zero.pad.width'] as number,
      extension: fileExtension({
        format,
        compression,
        parquetCodec,
        bytesExtension: raw['format.bytearray.extension'] as string,
      }),
    }),
    partitioner: Object.freeze(partitionerSettings(raw)),
    flushSize: raw['flush.size'] as number,
    rotateIntervalMs: raw['rotate.interval.ms'] as number,
    rotateScheduleIntervalMs: raw['rotate.schedule.interval.ms'] as number,
    objectWrite: Object.freeze({
      partSizeBytes: raw['s3.part.size'] as number,
      ...(str('s3.ssea.name') ? { serverSideEncryption: str('s3.ssea.name') as ServerSideEncryption } : {}),
      ...(str('s3.sse.kms.key.id') ? { kmsKeyId: str('s3.sse.kms.key.id') } : {}),
      ...(str('s3.sse.customer.key') ? { customerKey: str('s3.sse.customer.key') } : {}),
      ...(str('s3.acl.canned') ? { cannedAcl: str('s3.acl.canned') as ObjectCannedACL } : {}),
      ...(str('s3.storage.class') ? { storageClass: str('s3.storage.class') as StorageClass } : {}),
    }),
    offsetTags: raw['s3.object.tagging'] as boolean,
    tags: Object.freeze(
      Object.fromEntries(
        ((raw['s3.object.tags'] as string[] | undefined) ?? []).map((t) => {
          const at = t.indexOf('=');
          return [t.slice(0, at).trim(), t.slice(at + 1).trim()];
        }),
      ),
    ),
  });
}
