import { describe, expect, it } from 'vitest';
import { SchemaBuilder, Schemas, sinkRecord, Struct, Timestamp, type SinkRecord } from '@sluice/core';
import { createPartitioner, type PartitionerSettings } from './partitioner.js';
import { timestampExtractor } from './timestamp-extractor.js';

const base: PartitionerSettings = {
  name: 'default',
  fieldNames: [],
  pathFormat: '',
  partitionDurationMs: -1,
  locale: 'en',
  timezone: 'UTC',
  timestampExtractor: 'Record',
  timestampField: 'timestamp',
  directoryDelim: '/',
};

const order = SchemaBuilder.struct()
  .field('region', Schemas.STRING)
  .field('shop', SchemaBuilder.struct().field('id', Schemas.INT32).build())
  .field('createdAt', Timestamp.schema())
  .field('note', Schemas.OPTIONAL_STRING)
  .build();

function record(value: unknown, timestamp: number | null = null, partition = 4): SinkRecord {
  return sinkRecord({
    topic: 'orders',
    kafkaPartition: partition,
    kafkaOffset: 0,
    value,
    timestamp,
    valueSchema: value instanceof Struct ? value.schema : null,
  });
}

function orderValue(region: string, shopId: number, createdAt: Date): Struct {
  return new Struct(order)
    .put('region', region)
    .put('shop', new Struct(order.field('shop')!.schema).put('id', shopId))
    .put('createdAt', createdAt);
}

describe('default partitioner', () => {
  it('puts each Kafka partition in partition=<p>', () => {
    const p = createPartitioner(base);
    expect(p.encodePartition(record('x', null, 7), 0)).toBe('partition=7');
    expect(p.deterministic).toBe(true);
  });
});

describe('field partitioner', () => {
  it('names directories <field>=<value> in the configured order, reaching nested fields by dotted path', () => {
    const p = createPartitioner({ ...base, name: 'field', fieldNames: ['region', 'shop.id'] });
    expect(p.encodePartition(record(orderValue('eu', 12, new Date(0))), 0)).toBe('region=eu/shop.id=12');
  });

  it('reads schemaless maps too', () => {
    const p = createPartitioner({ ...base, name: 'field', fieldNames: ['kind'] });
    expect(p.encodePartition(record(new Map([['kind', 'refund']])), 0)).toBe('kind=refund');
    expect(p.encodePartition(record({ kind: true }), 0)).toBe('kind=true');
  });

  it('rejects records without the field or with a non-primitive value as data errors', () => {
    const p = createPartitioner({ ...base, name: 'field', fieldNames: ['note'] });
    expect(() => p.encodePartition(record(orderValue('eu', 1, new Date(0))), 0)).toThrow(
      /no value for partition field "note"/,
    );
    const q = createPartitioner({ ...base, name: 'field', fieldNames: ['shop'] });
    expect(() => q.encodePartition(record(orderValue('eu', 1, new Date(0))), 0)).toThrowError(
      expect.objectContaining({ code: 'DATA_ERROR' }),
    );
  });
});

describe('time-based partitioners', () => {
  it('formats the window of the record timestamp with path.format in UTC', () => {
    const p = createPartitioner({
      ...base,
      name: 'time',
      pathFormat: "'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH",
      partitionDurationMs: 3_600_000,
    });
    expect(p.encodePartition(record('x', Date.UTC(2024, 0, 15, 23, 30, 5)), 0)).toBe(
      'year=2024/month=01/day=15/hour=23',
    );
    expect(p.deterministic).toBe(true);
  });

  it('aligns windows and names to the wall clock of the time zone', () => {
    const daily = createPartitioner({ ...base, name: 'daily', timezone: 'Europe/Oslo' });
    // 23:30 UTC is already the next day in Oslo (UTC+1 in January)
    expect(daily.encodePartition(record('x', Date.UTC(2024, 0, 15, 23, 30)), 0)).toBe('year=2024/month=01/day=16');
    const hourly = createPartitioner({ ...base, name: 'hourly', timezone: 'America/New_York' });
    // New York switches to daylight saving time at 07:00 UTC on 2024-03-10
    expect(hourly.encodePartition(record('x', Date.UTC(2024, 2, 10, 6, 30)), 0)).toBe(
      'year=2024/month=03/day=10/hour=01',
    );
    expect(hourly.encodePartition(record('x', Date.UTC(2024, 2, 10, 7, 30)), 0)).toBe(
      'year=2024/month=03/day=10/hour=03',
    );
  });

  it('buckets into partition.duration.ms windows', () => {
    const p = createPartitioner({
      ...base,
      name: 'time',
      pathFormat: "YYYYMMdd'T'HHmm",
      partitionDurationMs: 15 * 60_000,
      timezone: 'Asia/Kolkata',
    });
    // 10:44 UTC is 16:14 in India (UTC+5:30): the window starts at 16:00
    expect(p.encodePartition(record('x', Date.UTC(2024, 5, 1, 10, 44)), 0)).toBe('20240601T1600');
  });

  it('takes time from a record field holding a Timestamp, epoch millis or ISO text', () => {
    const p = createPartitioner({
      ...base,
      name: 'daily',
      timestampExtractor: 'RecordField',
      timestampField: 'createdAt',
    });
    expect(p.encodePartition(record(orderValue('eu', 1, new Date(Date.UTC(2023, 11, 31, 12)))), 0)).toBe(
      'year=2023/month=12/day=31',
    );
    const q = createPartitioner({
      ...base,
      name: 'daily',
      timestampExtractor: 'RecordField',
      timestampField: 'meta.ts',
    });
    expect(q.encodePartition(record({ meta: { ts: Date.UTC(2022, 1, 3) } }), 0)).toBe('year=2022/month=02/day=03');
    expect(q.encodePartition(record({ meta: { ts: '2021-07-04T10:00:00+02:00' } }), 0)).toBe(
      'year=2021/month=07/day=04',
    );
    expect(q.encodePartition(record({ meta: { ts: String(Date.UTC(2020, 0, 1)) } }), 0)).toBe(
      'year=2020/month=01/day=01',
    );
  });

  it('uses the wall clock when asked, and says that this is not deterministic', () => {
    const p = createPartitioner({ ...base, name: 'hourly', timestampExtractor: 'Wallclock' });
    expect(p.encodePartition(record('x', Date.UTC(2000, 0, 1)), Date.UTC(2030, 4, 6, 7, 8))).toBe(
      'year=2030/month=05/day=06/hour=07',
    );
    expect(p.deterministic).toBe(false);
  });

  it('rejects records without a timestamp as data errors', () => {
    const p = createPartitioner({ ...base, name: 'daily' });
    expect(() => p.encodePartition(record('x', null), 0)).toThrowError(expect.objectContaining({ code: 'DATA_ERROR' }));
    expect(() => timestampExtractor('RecordField', 'at')(record({ at: 'not a time' }), 0)).toThrow(
      /neither epoch milliseconds/,
    );
  });
});
