import { sinkRecord, sourceRecord } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { Filter, filterPlugin } from './filter.js';

describe('Filter', () => {
  it('drops every record', () => {
    const f = new Filter();
    f.configure({});
    expect(f.apply(sourceRecord({ sourcePartition: {}, sourceOffset: {}, topic: 't', value: 1 }))).toBeNull();
    expect(f.apply(sinkRecord({ topic: 't', kafkaPartition: 0, kafkaOffset: 0 }))).toBeNull();
  });

  it('is published under Kafka Connect\'s class name with no settings', () => {
    expect(filterPlugin.className).toBe('org.apache.kafka.connect.transforms.Filter');
    expect(filterPlugin.configSchema?.().properties).toEqual({});
  });
});
