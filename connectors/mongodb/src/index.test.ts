import { describe, expect, it } from 'vitest';
import { connectorConformance } from '@sluice/testkit';
import { mongoSinkPlugin, mongoSourcePlugin, plugins } from './index.js';

// start() only validates, so the conformance suite runs without a server.
connectorConformance(mongoSourcePlugin, {
  validConfig: { 'connection.uri': 'mongodb://user:secret@127.0.0.1:27017/?replicaSet=rs0', database: 'shop', collection: 'orders' },
  describe,
  it,
  expect,
});

connectorConformance(mongoSinkPlugin, {
  validConfig: { 'connection.uri': 'mongodb://127.0.0.1:27017', database: 'shop', topics: 'orders' },
  describe,
  it,
  expect,
});

describe('MongoDB connector plugins', () => {
  it("register under Sluice's class names, short aliases and the official connector's class names", () => {
    expect(plugins.map((p) => [p.className, p.type, p.aliases])).toEqual([
      ['io.sluice.connect.mongodb.MongoSourceConnector', 'source', ['MongoSource', 'MongoSourceConnector', 'com.mongodb.kafka.connect.MongoSourceConnector']],
      ['io.sluice.connect.mongodb.MongoSinkConnector', 'sink', ['MongoSink', 'MongoSinkConnector', 'com.mongodb.kafka.connect.MongoSinkConnector']],
    ]);
  });

  it('marks the connection URI secret in both config schemas', () => {
    for (const p of plugins) expect(p.create().configSchema().properties['connection.uri']?.['x-secret']).toBe(true);
  });
});
