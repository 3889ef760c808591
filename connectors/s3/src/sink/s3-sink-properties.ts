import type { ConfigProperty } from '@sluice/core';
import { FORMAT_CLASS_NAMES } from '../format/record-format.js';
import { PARTITIONER_CLASS_NAMES } from '../partitioner/partitioner.js';
import { TIMESTAMP_EXTRACTOR_NAMES } from '../partitioner/timestamp-extractor.js';

const MIB = 1024 * 1024;

type PropertyMaker = (
  group: string,
  displayName: string,
  prop: Omit<ConfigProperty, 'x-group' | 'x-display-name'>,
) => ConfigProperty;

/** Builds properties numbered in declaration order, starting after `first`. */
export function propertyMaker(first: number): PropertyMaker {
  let order = first;
  return (group, displayName, prop) => ({
    'x-importance': 'MEDIUM',
    'x-width': 'MEDIUM',
    ...prop,
    'x-group': group,
    'x-order': ++order,
    'x-display-name': displayName,
  });
}

/**
 * The S3 sink's own keys besides the connection (see `s3SinkConfigSchema`). Names and defaults
 * follow Confluent's S3 sink; `store.envelope`, `s3.object.tags`, `s3.storage.class`,
 * `parquet.row.group.records` and `s3.sse.customer.key` are Sluice's.
 */
export function sinkProperties(): Record<string, ConfigProperty> {
  const p = propertyMaker(100);
  return {
    topics: p('Connector', 'Topics', {
      type: 'string',
      'x-type': 'LIST',
      'x-importance': 'HIGH',
      description: 'Comma-separated list of topics to consume. Use either this or topics.regex.',
    }),
    'topics.regex': p('Connector', 'Topics regex', {
      type: 'string',
      'x-importance': 'HIGH',
      description: 'Regular expression of the topics to consume. Use either this or topics.',
    }),
    'format.class': p('Format', 'Format class', {
      type: 'string',
      enum: Object.keys(FORMAT_CLASS_NAMES),
      'x-importance': 'HIGH',
      'x-type': 'CLASS',
      description:
        "Object format: json (JSON lines), csv (with header), parquet (typed columns from the value schema) or bytes (raw values); Confluent's class names (io.confluent.connect.s3.format.json.JsonFormat, …) are accepted too.",
    }),
    'store.envelope': p('Format', 'Store record envelope', {
      type: 'boolean',
      default: false,
      description:
        'Write each record with its key, headers, topic, partition, offset and timestamp (and the schemas of key, value and headers), so that the S3 source in RESTORE_BACKUP mode restores records losslessly. json, csv and parquet.',
    }),
    's3.compression.type': p('Format', 'Compression type', {
      type: 'string',
      enum: ['none', 'gzip'],
      default: 'none',
      description: 'Compression of json, csv and bytes objects (adds .gz to the name). Parquet uses parquet.codec.',
    }),
    's3.compression.level': p('Format', 'Compression level', {
      type: 'integer',
      minimum: -1,
      maximum: 9,
      default: -1,
      'x-importance': 'LOW',
      description: 'gzip level: -1 (zlib default), 0 (none) … 9 (smallest).',
    }),
    'parquet.codec': p('Format', 'Parquet codec', {
      type: 'string',
      enum: ['none', 'snappy', 'gzip'],
      default: 'snappy',
      'x-importance': 'LOW',
      description: 'Page compression of Parquet objects.',
    }),
    'parquet.row.group.records': p('Format', 'Parquet row group records', {
      type: 'integer',
      minimum: 1,
      default: 10_000,
      'x-importance': 'LOW',
      description:
        'Records buffered per open Parquet object before they are written out as a row group; bounds the memory of each open Parquet object.',
    }),
    'json.decimal.format': p('Format', 'JSON decimal format', {
      type: 'string',
      enum: ['BASE64', 'NUMERIC'],
      default: 'BASE64',
      'x-importance': 'LOW',
      description:
        'How json and csv write Decimal values inside JSON: BASE64 (as Kafka Connect does by default) or NUMERIC.',
    }),
    'behavior.on.null.values': p('Format', 'Behavior for null values', {
      type: 'string',
      enum: ['fail', 'ignore', 'write'],
      default: 'fail',
      description:
        'What to do with a record whose value is null (a tombstone) when there is no envelope: fail (report it to the error reporter, or fail the task), ignore it, or write a null. With store.envelope tombstones are always written.',
    }),
    'format.bytearray.extension': p('Format', 'Byte array extension', {
      type: 'string',
      default: '.bin',
      'x-importance': 'LOW',
      description: 'File extension of bytes objects.',
    }),
    'format.bytearray.separator': p('Format', 'Byte array separator', {
      type: 'string',
      'x-importance': 'LOW',
      description:
        'Written after each value in bytes objects; escape sequences \\n, \\r, \\t and \\\\ are understood. Default: a line break.',
    }),
    'topics.dir': p('Storage', 'Topics directory', {
      type: 'string',
      default: 'topics',
      'x-importance': 'HIGH',
      description:
        'Top-level directory (key prefix) under which each topic gets a directory. Empty: topics at the bucket root.',
    }),
    'directory.delim': p('Storage', 'Directory delimiter', {
      type: 'string',
      minLength: 1,
      default: '/',
      'x-importance': 'LOW',
      description: 'Delimiter between the directories of an object key.',
    }),
    'file.delim': p('Storage', 'File delimiter', {
      type: 'string',
      minLength: 1,
      default: '+',
      'x-importance': 'LOW',
      description: 'Delimiter between topic, partition and start offset in object names.',
    }),
    'filename.offset.zero.pad.width': p('Storage', 'Offset zero pad width', {
      type: 'integer',
      minimum: 0,
      default: 10,
      'x-importance': 'LOW',
      description: 'Width the start offset in object names is zero-padded to, so names sort in offset order.',
    }),
    'partitioner.class': p('Partitioner', 'Partitioner class', {
      type: 'string',
      enum: Object.keys(PARTITIONER_CLASS_NAMES),
      default: 'default',
      'x-importance': 'HIGH',
      'x-type': 'CLASS',
      description:
        "How records are laid out in directories: default (partition=<p>), field (<field>=<value> by partition.field.name), time (path.format over partition.duration.ms windows), daily, hourly; Confluent's class names are accepted too.",
    }),
    'partition.field.name': p('Partitioner', 'Partition fields', {
      type: 'array',
      items: { type: 'string' },
      default: [],
      'x-type': 'LIST',
      description:
        'Field partitioner: value fields whose values name the directories, in order (dotted paths reach nested fields).',
    }),
    'path.format': p('Partitioner', 'Path format', {
      type: 'string',
      description:
        "Time partitioner: Joda-style pattern for the directories, e.g. 'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH.",
    }),
    'partition.duration.ms': p('Partitioner', 'Partition duration (ms)', {
      type: 'integer',
      default: -1,
      description: 'Time partitioner: length of each time window, e.g. 3600000 for hourly directories.',
    }),
    locale: p('Partitioner', 'Locale', {
      type: 'string',
      default: 'en',
      'x-importance': 'LOW',
      description: 'Locale for month and day names in path.format (Java en_US or BCP 47 en-US).',
    }),
    timezone: p('Partitioner', 'Time zone', {
      type: 'string',
      default: 'UTC',
      description:
        'Time zone (IANA id) in which time windows, path.format and rotate.schedule.interval.ms are aligned.',
    }),
    'timestamp.extractor': p('Partitioner', 'Timestamp extractor', {
      type: 'string',
      enum: Object.keys(TIMESTAMP_EXTRACTOR_NAMES),
      default: 'Wallclock',
      description:
        'Where record time comes from, for the time partitioners and rotate.interval.ms: Wallclock (processing time; not replay-safe), Record (the record timestamp) or RecordField (timestamp.field).',
    }),
    'timestamp.field': p('Partitioner', 'Timestamp field', {
      type: 'string',
      default: 'timestamp',
      description:
        'RecordField extractor: the value field (dotted path) holding epoch milliseconds, a Timestamp or an ISO-8601 string.',
    }),
    'flush.size': p('Rotation', 'Flush size', {
      type: 'integer',
      minimum: 1,
      'x-importance': 'HIGH',
      description: 'Records per topic partition after which the open objects are completed and uploaded.',
    }),
    'rotate.interval.ms': p('Rotation', 'Rotate interval (ms)', {
      type: 'integer',
      default: -1,
      description:
        'Complete the open objects when a record arrives whose time (timestamp.extractor) is this far past the first record of the objects. -1 disables. Replay-safe with Record or RecordField.',
    }),
    'rotate.schedule.interval.ms': p('Rotation', 'Scheduled rotate interval (ms)', {
      type: 'integer',
      default: -1,
      description:
        'Complete the open objects at wall-clock boundaries of this interval (aligned in timezone), even when no records arrive. -1 disables. Not replay-safe: breaks the exactly-once guarantee.',
    }),
    's3.part.size': p('Upload', 'S3 part size', {
      type: 'integer',
      minimum: 5 * MIB,
      maximum: 2_147_483_647,
      default: 25 * MIB,
      'x-importance': 'HIGH',
      description: 'Bytes per part of multipart uploads; each open object holds up to about two parts in memory.',
    }),
    's3.ssea.name': p('Upload', 'Server-side encryption algorithm', {
      type: 'string',
      enum: ['', 'AES256', 'aws:kms', 'aws:kms:dsse'],
      default: '',
      'x-importance': 'LOW',
      description:
        'Server-side encryption: AES256 (S3-managed keys), aws:kms or aws:kms:dsse. Empty: the bucket default.',
    }),
    's3.sse.kms.key.id': p('Upload', 'KMS key id', {
      type: 'string',
      default: '',
      'x-importance': 'LOW',
      description: 'KMS key for s3.ssea.name=aws:kms. Empty: the AWS-managed key.',
    }),
    's3.sse.customer.key': p('Upload', 'SSE-C customer key', {
      type: 'string',
      'x-secret': true,
      'x-importance': 'LOW',
      description:
        'Base64 AES-256 key for server-side encryption with a customer-provided key (SSE-C). The source needs the same key.',
    }),
    's3.acl.canned': p('Upload', 'Canned ACL', {
      type: 'string',
      enum: [
        '',
        'private',
        'public-read',
        'public-read-write',
        'authenticated-read',
        'aws-exec-read',
        'bucket-owner-read',
        'bucket-owner-full-control',
      ],
      default: '',
      'x-importance': 'LOW',
      description: 'Canned ACL applied to each object. Empty: none.',
    }),
    's3.storage.class': p('Upload', 'Storage class', {
      type: 'string',
      enum: [
        '',
        'STANDARD',
        'STANDARD_IA',
        'ONEZONE_IA',
        'INTELLIGENT_TIERING',
        'GLACIER',
        'GLACIER_IR',
        'DEEP_ARCHIVE',
        'REDUCED_REDUNDANCY',
        'EXPRESS_ONEZONE',
      ],
      default: '',
      'x-importance': 'LOW',
      description:
        "S3 storage class of the objects. Empty: the bucket default. (Confluent's storage.class names its storage implementation and is ignored here.)",
    }),
    's3.object.tagging': p('Upload', 'Offset tags', {
      type: 'boolean',
      default: false,
      'x-importance': 'LOW',
      description: 'Tag each object with startOffset, endOffset and recordCount.',
    }),
    's3.object.tags': p('Upload', 'Object tags', {
      type: 'array',
      items: { type: 'string' },
      default: [],
      'x-type': 'LIST',
      'x-importance': 'LOW',
      description: 'Fixed tags for every object, as key=value pairs separated by commas.',
    }),
  };
}
