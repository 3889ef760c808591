import { describe, expect, it } from 'vitest';
import { countErrors, validateConfig } from '@sluice/core';
import { parseSinkConfig, s3SinkConfigSchema, validateSinkConfig } from './s3-sink-config.js';

const BASE = { 's3.bucket.name': 'bucket', 'format.class': 'json', 'flush.size': '100' };

function problems(config: Record<string, string>): Record<string, string[]> {
  const schemaLevel = validateConfig(s3SinkConfigSchema(), config).configs.filter((c) => c.errors.length > 0);
  const crossField = validateSinkConfig(config).configs;
  return Object.fromEntries([...schemaLevel, ...crossField].map((c) => [c.name, c.errors]));
}

describe('S3 sink config', () => {
  it('accepts a Confluent S3 sink config as it is', () => {
    const confluent = {
      'connector.class': 'io.confluent.connect.s3.S3SinkConnector',
      'storage.class': 'io.confluent.connect.s3.storage.S3Storage',
      'format.class': 'io.confluent.connect.s3.format.parquet.ParquetFormat',
      'partitioner.class': 'io.confluent.connect.storage.partitioner.TimeBasedPartitioner',
      'path.format': "'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH",
      'partition.duration.ms': '3600000',
      locale: 'en_US',
      timezone: 'Europe/Zurich',
      'timestamp.extractor': 'RecordField',
      'timestamp.field': 'ts',
      's3.bucket.name': 'lake',
      's3.region': 'eu-central-1',
      'store.url': 'http://127.0.0.1:9000',
      's3.path.style.access.enabled': 'true',
      'topics.dir': 'raw/kafka/',
      'flush.size': '1000',
      'rotate.interval.ms': '600000',
      's3.part.size': '5242880',
      'schema.compatibility': 'NONE',
      'aws.access.key.id': 'AKIA',
      'aws.secret.access.key': 'secret',
      'tasks.max': '2',
    };
    expect(problems(confluent)).toEqual({});
    const s = parseSinkConfig(confluent);
    expect(s.format).toBe('parquet');
    expect(s.partitioner).toMatchObject({
      name: 'time',
      timezone: 'Europe/Zurich',
      timestampExtractor: 'RecordField',
      partitionDurationMs: 3_600_000,
    });
    expect(s.keyLayout).toEqual({
      topicsDir: 'raw/kafka',
      directoryDelim: '/',
      fileDelim: '+',
      zeroPadWidth: 10,
      extension: '.snappy.parquet',
    });
    expect(s.connection).toMatchObject({
      endpoint: 'http://127.0.0.1:9000',
      forcePathStyle: true,
      credentials: { accessKeyId: 'AKIA', secretAccessKey: 'secret' },
    });
    expect(Object.isFrozen(s)).toBe(true);
  });

  it('masks the credentials in validation results', () => {
    const result = validateConfig(s3SinkConfigSchema(), {
      ...BASE,
      'aws.access.key.id': 'AKIA',
      'aws.secret.access.key': 'very-secret',
    });
    const shown = Object.fromEntries(result.configs.map((c) => [c.name, c.value]));
    expect([shown['aws.access.key.id'], shown['aws.secret.access.key']]).toEqual(['[hidden]', '[hidden]']);
    expect(JSON.stringify(result)).not.toContain('very-secret');
  });

  it('requires both explicit keys or neither', () => {
    expect(problems({ ...BASE, 'aws.access.key.id': 'AKIA' })['aws.secret.access.key']).toEqual([
      expect.stringMatching(/needed when "aws.access.key.id" is set/),
    ]);
  });

  it('reports what each partitioner and format combination is missing', () => {
    expect(problems({ ...BASE, 'partitioner.class': 'field' })['partition.field.name']).toEqual([
      expect.stringMatching(/at least one field/),
    ]);
    const time = problems({ ...BASE, 'partitioner.class': 'time' });
    expect(Object.keys(time).sort()).toEqual(['partition.duration.ms', 'path.format']);
    expect(problems({ ...BASE, 'partitioner.class': 'daily', timezone: 'Mars/Olympus' })['timezone']).toEqual([
      'unknown time zone "Mars/Olympus"',
    ]);
    expect(
      problems({ ...BASE, 'partitioner.class': 'time', 'partition.duration.ms': '1000', 'path.format': 'YYYY/q' })[
        'path.format'
      ],
    ).toEqual([expect.stringMatching(/unsupported pattern letter 'q'/)]);
    expect(problems({ ...BASE, 'format.class': 'bytes', 'store.envelope': 'true' })['store.envelope']).toHaveLength(1);
    expect(
      problems({ ...BASE, 'format.class': 'parquet', 's3.compression.type': 'gzip' })['s3.compression.type'],
    ).toHaveLength(1);
    expect(
      problems({ ...BASE, 'format.class': 'io.confluent.connect.s3.format.avro.AvroFormat' })['format.class'],
    ).toEqual([expect.stringMatching(/Avro is not supported/)]);
    expect(problems({ ...BASE, 'format.class': 'xml' })['format.class']).toEqual([
      expect.stringMatching(/must be one of/),
    ]);
    expect(problems({ ...BASE, 's3.part.size': '1024' })['s3.part.size']).toEqual([
      expect.stringMatching(/>= 5242880/),
    ]);
    expect(problems({ ...BASE, 's3.object.tags': 'novalue' })['s3.object.tags']).toEqual([
      '"novalue" is not key=value',
    ]);
  });

  it('refuses to start with an invalid config, naming every bad key', () => {
    expect(() => parseSinkConfig({ ...BASE, 'partitioner.class': 'time' })).toThrowError(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        fields: [
          expect.objectContaining({ name: 'path.format' }),
          expect.objectContaining({ name: 'partition.duration.ms' }),
        ],
      }),
    );
    expect(countErrors(validateConfig(s3SinkConfigSchema(), {}))).toBe(3);
  });

  it('understands escape sequences in the byte array separator', () => {
    expect(
      Buffer.from(
        parseSinkConfig({ ...BASE, 'format.class': 'bytes', 'format.bytearray.separator': '\\r\\n' }).bytesSeparator,
      ).toString(),
    ).toBe('\r\n');
    expect(Buffer.from(parseSinkConfig({ ...BASE, 'format.class': 'bytes' }).bytesSeparator).toString()).toBe('\n');
  });
});
