import { describe, expect, it } from 'vitest';
import { ConfigValidationError } from '@sluice/core';
import { parseSourceConfig, splitStatements, validateSourceConfig } from './postgres-source-config.js';
import { CaptureFilter } from './table-filter.js';

const BASE = { 'database.hostname': 'db', 'database.user': 'u', 'database.dbname': 'shop', 'topic.prefix': 'srv' };

function errorsOf(config: Record<string, string>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const c of validateSourceConfig(config).configs) if (c.errors.length > 0) out[c.name] = c.errors;
  return out;
}

describe('PostgreSQL source config', () => {
  it("applies Debezium's defaults", () => {
    const s = parseSourceConfig(BASE);
    expect(s).toMatchObject({
      endpoint: { host: 'db', port: 5432, user: 'u', password: '', database: 'shop', sslMode: 'prefer' },
      slotName: 'debezium',
      publicationName: 'dbz_publication',
      publicationAutocreateMode: 'all_tables',
      snapshotMode: 'initial',
      tombstonesOnDelete: true,
      heartbeatIntervalMs: 0,
      heartbeatTopic: '__debezium-heartbeat.srv',
      transactionTopic: 'srv.transaction',
      typeMapping: {
        decimalHandling: 'precise',
        timePrecision: 'adaptive',
        intervalHandling: 'numeric',
        binaryHandling: 'bytes',
      },
      maxBatchSize: 2048,
      maxQueueSize: 8192,
      pollIntervalMs: 500,
    });
    expect([...s.skippedOperations]).toEqual(['t']);
    expect(Object.isFrozen(s)).toBe(true);
  });

  it('accepts a Debezium config unchanged, treating snapshot.mode=never as no_data and skipped.operations=none as nothing skipped', () => {
    const s = parseSourceConfig({
      ...BASE,
      'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
      'plugin.name': 'pgoutput',
      'database.password': 'secret',
      'snapshot.mode': 'never',
      'skipped.operations': 'none',
      'table.include.list': 'public.orders,inventory\\..*',
      'decimal.handling.mode': 'string',
      'unknown.debezium.key': 'ignored',
    });
    expect(s.snapshotMode).toBe('no_data');
    expect(s.skippedOperations.size).toBe(0);
    expect(s.filterLists.tableInclude).toEqual(['public.orders', 'inventory\\..*']);
    expect(s.typeMapping.decimalHandling).toBe('string');
  });

  it('names every missing or invalid key', () => {
    expect(errorsOf({})).toMatchObject({
      'database.hostname': [expect.stringMatching(/Missing required/)],
      'database.user': [expect.stringMatching(/Missing required/)],
      'database.dbname': [expect.stringMatching(/Missing required/)],
      'topic.prefix': [expect.stringMatching(/Missing required/)],
    });
    expect(
      Object.keys(
        errorsOf({ ...BASE, 'plugin.name': 'decoderbufs', 'snapshot.mode': 'sometimes', 'slot.name': 'Bad-Name' }),
      ),
    ).toEqual(['plugin.name', 'slot.name', 'snapshot.mode']);
  });

  it('rejects include and exclude lists of one kind together, bad regexes and a queue not larger than a batch', () => {
    expect(errorsOf({ ...BASE, 'table.include.list': 'a\\.b', 'table.exclude.list': 'a\\.c' })).toEqual({
      'table.exclude.list': ['"table.include.list" and "table.exclude.list" cannot both be set'],
    });
    expect(errorsOf({ ...BASE, 'column.exclude.list': 'a.(b' })['column.exclude.list']?.[0]).toMatch(
      /not a valid regular expression/,
    );
    expect(errorsOf({ ...BASE, 'max.batch.size': '100', 'max.queue.size': '100' })['max.queue.size']?.[0]).toMatch(
      /must be larger than max.batch.size/,
    );
    expect(() => parseSourceConfig({ ...BASE, 'skipped.operations': 'none,c' })).toThrow(ConfigValidationError);
  });

  it('never echoes the password in validation results', () => {
    const result = validateSourceConfig({ ...BASE, 'database.password': 'hunter2' });
    expect(JSON.stringify(result)).not.toContain('hunter2');
  });
});

describe('CaptureFilter', () => {
  it('matches whole identifiers case-insensitively and never captures system schemas', () => {
    const f = new CaptureFilter({
      schemaInclude: [],
      schemaExclude: [],
      tableInclude: ['public\\.ord.*'],
      tableExclude: [],
      columnInclude: [],
      columnExclude: ['public\\.orders\\.secret'],
    });
    expect(f.includesTable('public', 'orders')).toBe(true);
    expect(f.includesTable('PUBLIC', 'ORDERS')).toBe(true);
    expect(f.includesTable('public', 'customers')).toBe(false);
    expect(f.includesTable('xpublic', 'orders')).toBe(false);
    expect(f.includesColumn('public', 'orders', 'secret')).toBe(false);
    expect(f.includesColumn('public', 'orders', 'secretive')).toBe(true);
    const all = new CaptureFilter({
      schemaInclude: [],
      schemaExclude: ['audit'],
      tableInclude: [],
      tableExclude: [],
      columnInclude: [],
      columnExclude: [],
    });
    expect(all.includesTable('pg_catalog', 'pg_class')).toBe(false);
    expect(all.includesTable('information_schema', 'tables')).toBe(false);
    expect(all.includesTable('audit', 'log')).toBe(false);
    expect(all.includesTable('app', 'log')).toBe(true);
  });
});

describe('PostgreSQL source snapshot options', () => {
  const errorsOf2 = (config: Record<string, string>) =>
    Object.fromEntries(validateSourceConfig({ ...BASE, ...config }).configs.filter((c) => c.errors.length > 0).map((c) => [c.name, c.errors]));

  it('reads snapshot.include.collection.list and the select overrides', () => {
    const s = parseSourceConfig({
      ...BASE,
      'snapshot.include.collection.list': 'public\\.orders,inv\\..*',
      'snapshot.select.statement.overrides': 'public.orders, inv.items',
      'snapshot.select.statement.overrides.public.orders': "SELECT * FROM public.orders WHERE status = 'open';",
      'snapshot.select.statement.overrides.inv.items': 'SELECT * FROM inv.items',
    });
    expect(s.snapshotInclude).toEqual(['public\\.orders', 'inv\\..*']);
    expect([...s.snapshotSelectOverrides]).toEqual([
      ['public.orders', "SELECT * FROM public.orders WHERE status = 'open'"],
      ['inv.items', 'SELECT * FROM inv.items'],
    ]);
    expect(parseSourceConfig(BASE).snapshotSelectOverrides.size).toBe(0);
  });

  it('names the missing statement, a bad table name and a bad expression', () => {
    expect(errorsOf2({ 'snapshot.select.statement.overrides': 'public.orders' })['snapshot.select.statement.overrides']).toEqual([
      'snapshot.select.statement.overrides.public.orders must hold the SELECT statement for public.orders',
    ]);
    expect(errorsOf2({ 'snapshot.select.statement.overrides': 'orders', 'snapshot.select.statement.overrides.orders': 'SELECT 1' })['snapshot.select.statement.overrides']?.[0]).toMatch(
      /"orders" .* is not a schema.table name/,
    );
    expect(errorsOf2({ 'snapshot.include.collection.list': 'public.(x' })['snapshot.include.collection.list']?.[0]).toMatch(/not a valid regular expression/);
  });
});

describe('PostgreSQL source connection and event options', () => {
  it('splits database.initial.statements on ";" with ";;" as a literal semicolon', () => {
    expect(splitStatements("SET a = 1; SET b = 'x;;y';;; ;")).toEqual(["SET a = 1", "SET b = 'x;y';"]);
    expect(parseSourceConfig(BASE).initialStatements).toEqual([]);
  });

  it('reads replica.identity.autoset.values and names bad entries', () => {
    const s = parseSourceConfig({ ...BASE, 'replica.identity.autoset.values': 'public\\.a.*:full, inv.items:INDEX items_code ,x.y:NOTHING' });
    expect(s.replicaIdentityAutoset).toEqual([
      { table: 'public\\.a.*', identity: 'FULL' },
      { table: 'inv.items', identity: 'USING INDEX "items_code"' },
      { table: 'x.y', identity: 'NOTHING' },
    ]);
    const errors = validateSourceConfig({ ...BASE, 'replica.identity.autoset.values': 'public.a:PARTIAL,public.(b:FULL' }).configs.find(
      (c) => c.name === 'replica.identity.autoset.values',
    )?.errors;
    expect(errors).toEqual([expect.stringMatching(/Invalid entry "public.a:PARTIAL"/), expect.stringMatching(/Invalid table expression "public.\(b"/)]);
    expect(parseSourceConfig({ ...BASE, 'skip.messages.without.change': 'true' }).skipMessagesWithoutChange).toBe(true);
    expect(parseSourceConfig(BASE).publishViaPartitionRoot).toBe(false);
    expect(parseSourceConfig({ ...BASE, 'publish.via.partition.root': 'true' }).publishViaPartitionRoot).toBe(true);
  });
});
