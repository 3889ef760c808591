import { describe, expect, it } from 'vitest';
import { connectorConformance } from '@sluice/testkit';
import { plugins, postgresCdcSourcePlugin, postgresSinkPlugin } from './index.js';

// start() only validates, so the conformance suite runs without a server.
connectorConformance(postgresCdcSourcePlugin, {
  validConfig: {
    'database.hostname': '127.0.0.1',
    'database.user': 'postgres',
    'database.password': 'secret',
    'database.dbname': 'shop',
    'topic.prefix': 'srv',
  },
  describe,
  it,
  expect,
});

connectorConformance(postgresSinkPlugin, {
  validConfig: {
    'connection.url': 'jdbc:postgresql://127.0.0.1:5432/shop',
    'connection.username': 'postgres',
    'connection.password': 'secret',
    topics: 'orders',
  },
  describe,
  it,
  expect,
});

describe('PostgreSQL connector plugins', () => {
  it("register under Sluice's class names, short aliases and Debezium's class names", () => {
    expect(plugins.map((p) => [p.className, p.type, p.aliases])).toEqual([
      [
        'io.sluice.connect.postgres.PostgresCdcSourceConnector',
        'source',
        ['PostgresCdcSource', 'PostgresCdcSourceConnector', 'io.debezium.connector.postgresql.PostgresConnector'],
      ],
      [
        'io.sluice.connect.postgres.PostgresSinkConnector',
        'sink',
        ['PostgresSink', 'PostgresSinkConnector', 'JdbcSink', 'io.debezium.connector.jdbc.JdbcSinkConnector'],
      ],
    ]);
  });

  it('mark passwords secret in both config schemas', () => {
    expect(postgresCdcSourcePlugin.create().configSchema().properties['database.password']?.['x-secret']).toBe(true);
    expect(postgresSinkPlugin.create().configSchema().properties['connection.password']?.['x-secret']).toBe(true);
  });

  it('run the CDC source as a single task whatever tasks.max says', async () => {
    const connector = postgresCdcSourcePlugin.create();
    await connector.start({
      'database.hostname': 'h',
      'database.user': 'u',
      'database.dbname': 'd',
      'topic.prefix': 'p',
    });
    expect(await connector.taskConfigs(8)).toHaveLength(1);
  });
});
