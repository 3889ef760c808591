import { describe, expect, it } from 'vitest';
import { connectorConformance } from '@sluice/testkit';
import { plugins, s3SinkPlugin, s3SourcePlugin } from './index.js';

connectorConformance(s3SinkPlugin, {
  validConfig: {
    's3.bucket.name': 'bucket',
    'format.class': 'json',
    'flush.size': '100',
    topics: 'orders',
    'store.url': 'http://127.0.0.1:9',
  },
  describe,
  it,
  expect,
});

connectorConformance(s3SourcePlugin, {
  validConfig: { 's3.bucket.name': 'bucket', 'format.class': 'json', 'store.url': 'http://127.0.0.1:9' },
  describe,
  it,
  expect,
});

describe('S3 connector plugins', () => {
  it("register under Sluice's class names, short aliases and Confluent's class names", () => {
    expect(plugins.map((p) => [p.className, p.type, p.aliases])).toEqual([
      [
        'io.sluice.connect.s3.S3SinkConnector',
        'sink',
        ['S3Sink', 'S3SinkConnector', 'io.confluent.connect.s3.S3SinkConnector'],
      ],
      [
        'io.sluice.connect.s3.S3SourceConnector',
        'source',
        ['S3Source', 'S3SourceConnector', 'io.confluent.connect.s3.source.S3SourceConnector'],
      ],
    ]);
  });

  it('give each source task its share of the objects', async () => {
    const connector = s3SourcePlugin.create();
    await connector.start({ 's3.bucket.name': 'bucket', 'format.class': 'json' });
    const configs = await connector.taskConfigs(3);
    expect(configs.map((c) => [c['sluice.s3.task.index'], c['sluice.s3.task.count']])).toEqual([
      ['0', '3'],
      ['1', '3'],
      ['2', '3'],
    ]);
    await connector.stop();
  });
});
