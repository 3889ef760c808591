import { describe, expect, it } from 'vitest';
import { parseConnectionUrl } from '../connection/connection-url.js';
import { parseSinkConfig, validateSinkConfig } from './postgres-sink-config.js';

const URL = { 'connection.url': 'jdbc:postgresql://db.example:6543/shop' };

function errorsOf(config: Record<string, string>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const c of validateSinkConfig(config).configs) if (c.errors.length > 0) out[c.name] = c.errors;
  return out;
}

describe('PostgreSQL sink config', () => {
  it("applies the Debezium JDBC sink's defaults", () => {
    expect(parseSinkConfig({ ...URL, 'connection.username': 'app', 'connection.password': 'pw' })).toMatchObject({
      endpoint: { host: 'db.example', port: 6543, database: 'shop', user: 'app', password: 'pw' },
      insertMode: 'insert',
      primaryKeyMode: 'none',
      primaryKeyFields: [],
      deleteEnabled: false,
      autoCreate: false,
      autoEvolve: false,
      tableNameFormat: '${topic}',
      batchSize: 500,
    });
  });

  it('maps schema.evolution=basic and the Confluent auto.create / auto.evolve to table creation and column adding', () => {
    expect(parseSinkConfig({ ...URL, 'connection.username': 'u', 'schema.evolution': 'basic' })).toMatchObject({
      autoCreate: true,
      autoEvolve: true,
    });
    expect(parseSinkConfig({ ...URL, 'connection.username': 'u', 'auto.create': 'true' })).toMatchObject({
      autoCreate: true,
      autoEvolve: false,
    });
  });

  it('accepts Confluent aliases and rejects an alias that contradicts its Debezium key', () => {
    const s = parseSinkConfig({
      ...URL,
      'connection.user': 'u',
      'pk.mode': 'record_value',
      'pk.fields': 'a, b',
      'insert.mode': 'upsert',
    });
    expect(s).toMatchObject({ primaryKeyMode: 'record_value', primaryKeyFields: ['a', 'b'], endpoint: { user: 'u' } });
    expect(() =>
      parseSinkConfig({ ...URL, 'connection.user': 'u', 'pk.mode': 'kafka', 'primary.key.mode': 'none' }),
    ).toThrow(/"pk.mode" and "primary.key.mode" are the same setting/);
  });

  it('rejects key-dependent settings without a key mode', () => {
    expect(errorsOf({ ...URL, 'connection.username': 'u', 'insert.mode': 'upsert' })).toEqual({
      'insert.mode': ['insert.mode=upsert needs a primary key: set primary.key.mode'],
    });
    expect(
      errorsOf({ ...URL, 'connection.username': 'u', 'delete.enabled': 'true', 'primary.key.mode': 'record_value' }),
    ).toEqual({
      'delete.enabled': ['delete.enabled=true requires primary.key.mode=record_key'],
    });
    expect(errorsOf({ 'connection.url': 'mysql://x/y', 'connection.username': 'u' })['connection.url']?.[0]).toMatch(
      /must start with jdbc:postgresql/,
    );
    expect(errorsOf({})['connection.url']?.[0]).toMatch(/Missing required/);
  });

  it('never echoes the password', () => {
    expect(
      JSON.stringify(validateSinkConfig({ ...URL, 'connection.username': 'u', 'connection.password': 'hunter2' })),
    ).not.toContain('hunter2');
  });
});

describe('parseConnectionUrl', () => {
  it('reads JDBC and libpq URLs, with credentials from the URL unless given separately', () => {
    expect(parseConnectionUrl('jdbc:postgresql://h/db?user=a&password=b&sslmode=require', '', '')).toMatchObject({
      host: 'h',
      port: 5432,
      database: 'db',
      user: 'a',
      password: 'b',
      sslMode: 'require',
    });
    expect(parseConnectionUrl('postgres://a:p%40ss@h:7/db', '', '')).toMatchObject({
      host: 'h',
      port: 7,
      user: 'a',
      password: 'p@ss',
      sslMode: 'prefer',
    });
    expect(parseConnectionUrl('postgresql://a:b@h/db', 'c', 'd')).toMatchObject({ user: 'c', password: 'd' });
    expect(parseConnectionUrl('jdbc:postgresql://h1:1,h2:2/db', 'u', '')).toMatchObject({ host: 'h1' });
  });

  it('explains what is missing without echoing secrets', () => {
    expect(() => parseConnectionUrl('jdbc:postgresql://h/', 'u', '')).toThrow(/no database/);
    expect(() => parseConnectionUrl('jdbc:postgresql://h/db', '', '')).toThrow(/No user/);
    expect(() => parseConnectionUrl('jdbc:postgresql://u:secret@h/db?sslmode=bogus', '', '')).toThrow(
      /unknown sslmode "bogus"/,
    );
    try {
      parseConnectionUrl('jdbc:postgresql://u:secret@h/db?sslmode=bogus', '', '');
    } catch (err) {
      expect((err as Error).message).not.toContain('secret');
    }
  });
});
