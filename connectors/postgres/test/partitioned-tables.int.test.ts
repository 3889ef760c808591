import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CapturingLogger } from '@sluice/testkit';
import { CdcHarnesses, collectUntil, idOf, op } from './support/cdc-harness.js';
import { createTestDatabase, postgresTestGate, type TestDatabase } from './support/postgres.js';

const gate = postgresTestGate();

/** Partitioned tables on a real PostgreSQL: as one table (publish.via.partition.root) or as their partitions. */
describe.skipIf(gate.skip)('PostgreSQL source: partitioned tables', () => {
  let db: TestDatabase;
  let harnesses: CdcHarnesses;
  let n = 0;

  beforeAll(async () => {
    db = await createTestDatabase('partitions');
    harnesses = new CdcHarnesses(db, 'pt');
  });
  afterEach(() => harnesses.stopAll());
  afterAll(async () => {
    await db?.drop();
  });

  async function partitionedTable(): Promise<string> {
    const table = `measurements_${++n}`;
    await db.client.query(
      `CREATE TABLE public.${table} (id int NOT NULL, day date NOT NULL, v int, PRIMARY KEY (id, day)) PARTITION BY RANGE (day)`,
    );
    await db.client.query(
      `CREATE TABLE public.${table}_jan PARTITION OF public.${table} FOR VALUES FROM ('2026-01-01') TO ('2026-02-01')`,
    );
    await db.client.query(
      `CREATE TABLE public.${table}_feb PARTITION OF public.${table} FOR VALUES FROM ('2026-02-01') TO ('2026-03-01')`,
    );
    await db.client.query(
      `INSERT INTO public.${table} SELECT g, DATE '2026-01-01' + (g % 50), g FROM generate_series(1, 40) g`,
    );
    return table;
  }

  it('captures a partitioned table as one table with publish.via.partition.root: snapshot, inserts into any partition, rows moving between partitions', async () => {
    const table = await partitionedTable();
    const harness = await harnesses.start(table, { 'publish.via.partition.root': 'true' });
    const snapshot = await collectUntil(harness, (all) => all.filter((r) => op(r) === 'r').length >= 40);
    expect(new Set(snapshot.map((r) => r.topic))).toEqual(new Set([`srv.public.${table}`]));
    expect(snapshot.map(idOf).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    const pub = await db.client.query(
      `SELECT p.pubviaroot FROM pg_publication p JOIN pg_publication_tables t ON t.pubname = p.pubname WHERE t.tablename = $1`,
      [table],
    );
    expect(pub.rows.map((r: { pubviaroot: boolean }) => r.pubviaroot)).toEqual([true]);

    await db.client.query(`INSERT INTO public.${table} VALUES (100, '2026-01-15', 1), (101, '2026-02-15', 2)`);
    await db.client.query(`UPDATE public.${table} SET day = '2026-02-20' WHERE id = 100`); // moves to the other partition
    const stream = (
      await collectUntil(harness, (all) => all.filter((r) => r.value !== null && op(r) !== 'r').length >= 4)
    ).filter((r) => r.value !== null);
    expect(stream.map((r) => [r.topic, op(r), idOf(r)])).toEqual([
      [`srv.public.${table}`, 'c', 100],
      [`srv.public.${table}`, 'c', 101],
      [`srv.public.${table}`, 'd', 100],
      [`srv.public.${table}`, 'c', 100],
    ]);
  });

  it('captures the partitions as tables by default, and warns that the partitioned table itself is not captured', async () => {
    const table = await partitionedTable();
    const harness = await harnesses.start([table, `${table}_jan`, `${table}_feb`]);
    const logger = harness.logger as CapturingLogger;
    const snapshot = await collectUntil(harness, (all) => all.filter((r) => op(r) === 'r').length >= 40);
    expect(new Set(snapshot.map((r) => r.topic))).toEqual(
      new Set([`srv.public.${table}_jan`, `srv.public.${table}_feb`]),
    );
    expect(
      logger.entries.some(
        (e) =>
          e.level === 'warn' &&
          e.msg.includes(`public.${table} is a partitioned table`) &&
          e.msg.includes('publish.via.partition.root=true'),
      ),
    ).toBe(true);
  });
});
