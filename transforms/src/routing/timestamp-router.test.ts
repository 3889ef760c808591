import { ConfigValidationError, DataError, sinkRecord, sourceRecord } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { TimestampRouter } from './timestamp-router.js';

const configured = (config: Record<string, string> = {}): TimestampRouter => {
  const t = new TimestampRouter();
  t.configure(config);
  return t;
};

describe('TimestampRouter', () => {
  it('appends the UTC date to the topic by default', () => {
    const record = sourceRecord({ sourcePartition: {}, sourceOffset: {}, topic: 'test', value: 'v', timestamp: Date.UTC(2017, 0, 1, 23, 59) });
    const out = configured().apply(record);
    expect(out?.topic).toBe('test-20170101');
    expect(out?.value).toBe('v');
    expect(out?.sourceOffset).toBe(record.sourceOffset);
  });

  it('fills a custom topic format, keeping the sink record\'s original coordinates', () => {
    const record = sinkRecord({ topic: 'orders', kafkaPartition: 2, kafkaOffset: 9, timestamp: Date.UTC(2024, 4, 6, 7, 8, 9) });
    const out = configured({ 'topic.format': 'archive.${timestamp}.${topic}.${topic}', 'timestamp.format': "yyyy-MM-dd'T'HH" }).apply(record);
    expect(out?.topic).toBe('archive.2024-05-06T07.orders.orders');
    expect(out?.originalTopic).toBe('orders');
    expect(out?.kafkaOffset).toBe(9);
  });

  it('inserts the topic and timestamp literally, dollar signs included', () => {
    const record = sourceRecord({ sourcePartition: {}, sourceOffset: {}, topic: 't', timestamp: Date.UTC(2024, 0, 1) });
    expect(configured({ 'timestamp.format': "'$&$1'yyyy" }).apply(record)?.topic).toBe('t-$&$12024');
  });

  it('fails on a record without a timestamp', () => {
    const record = sourceRecord({ sourcePartition: {}, sourceOffset: {}, topic: 'test' });
    expect(() => configured().apply(record)).toThrow(DataError);
    expect(() => configured().apply(record)).toThrow(/Timestamp missing/);
  });

  it('rejects an invalid timestamp.format pattern', () => {
    expect(() => configured({ 'timestamp.format': 'yyyyJJ' })).toThrow(ConfigValidationError);
    expect(() => configured({ 'timestamp.format': "yyyy'MM" })).toThrow(/Unterminated quote/);
  });
});
