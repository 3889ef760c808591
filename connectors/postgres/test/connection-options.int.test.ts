import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SourceTaskHarness } from '@sluice/testkit';
import { PostgresCdcSourceTask } from '../src/index.js';
import { CdcHarnesses, op, rowJson as part } from './support/cdc-harness.js';
import { createTestDatabase, postgresTestGate, type TestDatabase } from './support/postgres.js';

const gate = postgresTestGate();

/** database.initial.statements, replica.identity.autoset.values and skip.messages.without.change on a real PostgreSQL. */
describe.skipIf(gate.skip)(
  'PostgreSQL source: initial statements, replica identity autoset, skipping unchanged updates',
  () => {
    let db: TestDatabase;
    let harnesses: CdcHarnesses;
    let n = 0;
    const role = `sluice_notowner_${process.pid}`;

    beforeAll(async () => {
      db = await createTestDatabase('connopts');
      harnesses = new CdcHarnesses(db, 'co');
      await db.client.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
      await db.client.query(`CREATE ROLE ${role} LOGIN REPLICATION`);
    });
    afterEach(() => harnesses.stopAll());
    afterAll(async () => {
      await db?.drop();
      await db?.client.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
    });

    const config = (table: string, extra: Record<string, string>) =>
      harnesses.config([table], { 'snapshot.mode': 'no_data', ...extra });
    const start = (table: string, extra: Record<string, string>) =>
      harnesses.start(table, { 'snapshot.mode': 'no_data', ...extra });

    it('runs database.initial.statements on its catalog connection, and names a statement that fails', async () => {
      const table = `init_${++n}`;
      await db.client.query(`CREATE TABLE public.${table} (id int PRIMARY KEY)`);
      const app = `sluice-init-${process.pid}-${n}`;
      await start(table, {
        'database.initial.statements': `SET application_name = '${app}';SET statement_timeout = 0;;`,
      });
      const seen = await db.client.query(
        'SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1',
        [app],
      );
      expect(seen.rows[0].n).toBeGreaterThanOrEqual(1);
      const failing = SourceTaskHarness.start(() => new PostgresCdcSourceTask({ slotWaitTimeoutMs: 10_000 }), {
        config: config(table, { 'database.initial.statements': 'SET no_such_setting = 1' }),
      });
      await expect(failing).rejects.toThrow(/Could not run "SET no_such_setting = 1" from database.initial.statements/);
    });

    it('sets the replica identity listed in replica.identity.autoset.values, so updates carry the whole old row', async () => {
      const [full, indexed] = [`autoset_full_${++n}`, `autoset_idx_${n}`];
      await db.client.query(`CREATE TABLE public.${full} (id int PRIMARY KEY, v text)`);
      await db.client.query(`CREATE TABLE public.${indexed} (id int PRIMARY KEY, code text NOT NULL)`);
      await db.client.query(`CREATE UNIQUE INDEX ${indexed}_code ON public.${indexed} (code)`);
      await db.client.query(`INSERT INTO public.${full} VALUES (1, 'a')`);
      const harness = await start(full, {
        'table.include.list': `public\\.${full},public\\.${indexed}`,
        'replica.identity.autoset.values': `public\\.autoset_full_.*:FULL,public.${indexed}:INDEX ${indexed}_code`,
      });
      const identities = await db.client.query(
        `SELECT relname, relreplident FROM pg_class WHERE relname IN ($1, $2) ORDER BY relname`,
        [full, indexed],
      );
      expect(
        Object.fromEntries(
          identities.rows.map((r: { relname: string; relreplident: string }) => [r.relname, r.relreplident]),
        ),
      ).toEqual({ [full]: 'f', [indexed]: 'i' });
      await db.client.query(`UPDATE public.${full} SET v = 'b' WHERE id = 1`);
      const [update] = (await harness.pollRecords(1)).filter((r) => op(r) === 'u');
      expect(part(update!, 'before')).toEqual({ id: 1, v: 'a' });
    });

    it('fails with the ALTER TABLE to run when the connector user does not own the table', async () => {
      const table = `notmine_${++n}`;
      await db.client.query(`CREATE TABLE public.${table} (id int PRIMARY KEY)`);
      await db.client.query(`GRANT SELECT ON public.${table} TO ${role}`);
      const slot = db.slotName(`co${++n}`);
      await db.client.query(`CREATE PUBLICATION pub_${slot} FOR TABLE public.${table}`);
      const failing = SourceTaskHarness.start(() => new PostgresCdcSourceTask({ slotWaitTimeoutMs: 10_000 }), {
        config: {
          ...config(table, { 'replica.identity.autoset.values': `public.${table}:FULL` }),
          'database.user': role,
          'slot.name': slot,
          'publication.name': `pub_${slot}`,
          'publication.autocreate.mode': 'disabled',
        },
      });
      await expect(failing).rejects.toThrow(
        new RegExp(
          `replica.identity.autoset.values: could not set the replica identity of public\\.${table} \\(must be owner of table ${table}\\).*ALTER TABLE "public"\\."${table}" REPLICA IDENTITY FULL`,
        ),
      );
      await db.client.query(`DROP OWNED BY ${role}`).catch(() => undefined);
    });

    it('skips updates that changed no captured column when skip.messages.without.change is on', async () => {
      const table = `skip_${++n}`;
      await db.client.query(`CREATE TABLE public.${table} (id int PRIMARY KEY, v text, touched timestamptz)`);
      await db.client.query(`ALTER TABLE public.${table} REPLICA IDENTITY FULL`);
      await db.client.query(`INSERT INTO public.${table} VALUES (1, 'a', now())`);
      const harness = await start(table, {
        'column.exclude.list': `public.${table}.touched`,
        'skip.messages.without.change': 'true',
      });
      await db.client.query(`UPDATE public.${table} SET touched = now() + interval '1 minute' WHERE id = 1`); // only an excluded column
      await db.client.query(`UPDATE public.${table} SET v = 'b' WHERE id = 1`);
      await db.client.query(`INSERT INTO public.${table} VALUES (2, 'c', now())`);
      const records = (await harness.pollRecords(2, { timeoutMs: 20_000 })).filter((r) => r.value !== null);
      expect(records.map((r) => [op(r), part(r, 'after')?.['v']])).toEqual([
        ['u', 'b'],
        ['c', 'c'],
      ]);
    });
  },
);
