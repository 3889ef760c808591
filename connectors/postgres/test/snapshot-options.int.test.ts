import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SourceRecord } from '@sluice/core';
import { CdcHarnesses, collectUntil as collect, op, rowJson } from './support/cdc-harness.js';
import { createTestDatabase, postgresTestGate, type TestDatabase } from './support/postgres.js';

const gate = postgresTestGate();

const after = (r: SourceRecord) => rowJson(r);

/** snapshot.include.collection.list and snapshot.select.statement.overrides against a real PostgreSQL. */
describe.skipIf(gate.skip)('PostgreSQL source: snapshot include list and select overrides', () => {
  let db: TestDatabase;
  let harnesses: CdcHarnesses;
  let n = 0;

  beforeAll(async () => {
    db = await createTestDatabase('snapopts');
    harnesses = new CdcHarnesses(db, 'so');
  });
  afterEach(() => harnesses.stopAll());
  afterAll(async () => {
    await db?.drop();
  });

  const start = (tables: string[], extra: Record<string, string>) =>
    harnesses.start(tables, { 'snapshot.fetch.size': '7', ...extra });

  it('snapshots only the listed tables, streams all captured ones, and reads overridden tables through their SELECT', async () => {
    const [orders, customers, audit] = [`orders_${++n}`, `customers_${n}`, `audit_${n}`];
    await db.client.query(`CREATE TABLE public.${orders} (id int PRIMARY KEY, status text NOT NULL, note text)`);
    await db.client.query(`CREATE TABLE public.${customers} (id int PRIMARY KEY, name text NOT NULL)`);
    await db.client.query(`CREATE TABLE public.${audit} (id int PRIMARY KEY, what text NOT NULL)`);
    await db.client.query(
      `INSERT INTO public.${orders} SELECT g, CASE WHEN g % 3 = 0 THEN 'open' ELSE 'closed' END, 'n' || g FROM generate_series(1, 30) g`,
    );
    await db.client.query(`INSERT INTO public.${customers} SELECT g, 'c' || g FROM generate_series(1, 5) g`);
    await db.client.query(`INSERT INTO public.${audit} SELECT g, 'a' || g FROM generate_series(1, 5) g`);
    const harness = await start([orders, customers, audit], {
      'snapshot.include.collection.list': `public\\.${orders},public\\.${customers}`,
      'snapshot.select.statement.overrides': `public.${orders}`,
      // only open orders, and a column computed by the statement (columns are taken by name)
      [`snapshot.select.statement.overrides.public.${orders}`]: `SELECT id, status, upper(note) AS note FROM public.${orders} WHERE status = 'open';`,
    });
    const snapshot = await collect(harness, (all) => all.filter((r) => op(r) === 'r').length >= 15);
    const reads = snapshot.filter((r) => op(r) === 'r');
    const byTopic = (t: string) => reads.filter((r) => r.topic === `srv.public.${t}`).map((r) => after(r));
    expect(byTopic(orders)).toEqual(
      Array.from({ length: 10 }, (_, i) => ({ id: (i + 1) * 3, status: 'open', note: `N${(i + 1) * 3}` })),
    );
    expect(byTopic(customers).map((r) => r?.['id'])).toEqual([1, 2, 3, 4, 5]);
    expect(byTopic(audit)).toEqual([]);

    // streaming covers every captured table, the ones left out of the snapshot too
    await db.client.query(`INSERT INTO public.${audit} VALUES (6, 'a6')`);
    await db.client.query(`UPDATE public.${orders} SET status = 'open' WHERE id = 1`);
    const stream = await collect(harness, (all) => all.filter((r) => op(r) === 'c' || op(r) === 'u').length >= 2);
    expect(stream.filter((r) => op(r) === 'c' || op(r) === 'u').map((r) => [r.topic, op(r), after(r)?.['id']])).toEqual(
      [
        [`srv.public.${audit}`, 'c', 6],
        [`srv.public.${orders}`, 'u', 1],
      ],
    );
  });

  it('fails with the statement and table named when an override is not a valid query for the table', async () => {
    const table = `broken_${++n}`;
    await db.client.query(`CREATE TABLE public.${table} (id int PRIMARY KEY, v text)`);
    await db.client.query(`INSERT INTO public.${table} VALUES (1, 'x')`);
    const run = async () =>
      (
        await start([table], {
          'snapshot.select.statement.overrides': `public.${table}`,
          // leaves out column v
          [`snapshot.select.statement.overrides.public.${table}`]: `SELECT id FROM public.${table}`,
        })
      ).pollRecords(1, { timeoutMs: 10_000 });
    await expect(run()).rejects.toThrow(
      new RegExp(`snapshot chunk of public\\.${table}.*column "v" does not exist`, 's'),
    );
  });
});
