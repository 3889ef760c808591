import { describe, expect, it } from 'vitest';
import { connectorConformance } from '@sluice/testkit';
import { fileStreamSinkPlugin, fileStreamSourcePlugin, plugins } from './index.js';

connectorConformance(fileStreamSourcePlugin, {
  validConfig: { file: '/tmp/sluice-conformance-input.txt', topic: 'lines', 'batch.size': '100' },
  describe,
  it,
  expect,
});

connectorConformance(fileStreamSinkPlugin, {
  validConfig: { file: '/tmp/sluice-conformance-output.txt', topics: 'lines' },
  describe,
  it,
  expect,
});

describe('file connector plugins', () => {
  it("register under Kafka Connect's class names and aliases so its configs work unchanged", () => {
    expect(plugins.map((p) => [p.className, p.type, p.aliases])).toEqual([
      [
        'org.apache.kafka.connect.file.FileStreamSourceConnector',
        'source',
        ['FileStreamSource', 'FileStreamSourceConnector'],
      ],
      ['org.apache.kafka.connect.file.FileStreamSinkConnector', 'sink', ['FileStreamSink', 'FileStreamSinkConnector']],
    ]);
  });
});
