import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SourceRecord } from '@sluice/core';
import { CdcHarnesses, collectUntil, keyJson as key, op, rowJson } from './support/cdc-harness.js';
import { createTestDatabase, postgresTestGate, type TestDatabase } from './support/postgres.js';

const gate = postgresTestGate();

const after = (r: SourceRecord) => rowJson(r, 'after');
const before = (r: SourceRecord) => rowJson(r, 'before');
const sha256 = (salt: string, v: string) => createHash('sha256').update(salt).update(v).digest('hex');

/**
 * `message.key.columns` and the column mask rules against a real PostgreSQL: the snapshot, the
 * stream and incremental snapshots all key and mask the same way.
 */
describe.skipIf(gate.skip)('PostgreSQL source: message.key.columns and column masks', () => {
  let db: TestDatabase;
  let harnesses: CdcHarnesses;
  let n = 0;

  beforeAll(async () => {
    db = await createTestDatabase('colrules');
    harnesses = new CdcHarnesses(db, 'cr');
    await db.client.query('CREATE TABLE public.sluice_signal (id text PRIMARY KEY, type text NOT NULL, data text)');
  });
  afterEach(() => harnesses.stopAll());
  afterAll(async () => {
    await db?.drop();
  });

  const start = (table: string, extra: Record<string, string>) => harnesses.start(table, extra);

  it('keys snapshot and stream events by the listed columns and masks values everywhere', async () => {
    const table = `customers_${++n}`;
    await db.client.query(
      `CREATE TABLE public.${table} (id int PRIMARY KEY, email text NOT NULL, region varchar(8) NOT NULL, phone varchar(10), note text)`,
    );
    await db.client.query(`ALTER TABLE public.${table} REPLICA IDENTITY FULL`);
    await db.client.query(
      `INSERT INTO public.${table} VALUES (1, 'ann@example.com', 'eu', '0123456789', 'first customer')`,
    );
    const harness = await start(table, {
      'message.key.columns': `public\\.${table}:region,id`,
      'column.mask.with.3.chars': `public.${table}.email`,
      'column.truncate.to.5.chars': `public.${table}.note`,
      'column.mask.hash.v2.SHA-256.with.salt.s4lt': `public.${table}.phone`,
    });
    const snapshot = await harness.pollRecords(1);
    expect(op(snapshot[0]!)).toBe('r');
    expect(key(snapshot[0]!)).toEqual({ region: 'eu', id: 1 });
    expect(snapshot[0]!.keySchema?.fields.map((f) => f.name)).toEqual(['region', 'id']);
    // every mask applied: replaced, hashed (cut to varchar(10)), truncated
    const firstRow = {
      id: 1,
      email: '***',
      region: 'eu',
      phone: sha256('s4lt', '0123456789').slice(0, 10),
      note: 'first',
    };
    expect(after(snapshot[0]!)).toEqual(firstRow);

    await db.client.query(`INSERT INTO public.${table} VALUES (2, 'bob@example.com', 'us', NULL, 'x')`);
    await db.client.query(`UPDATE public.${table} SET note = 'changed note' WHERE id = 2`);
    await db.client.query(`UPDATE public.${table} SET region = 'apac' WHERE id = 2`);
    await db.client.query(`DELETE FROM public.${table} WHERE id = 1`);
    const stream = (await harness.pollRecords(7, { timeoutMs: 20_000 })).filter((r) => r.value !== null);
    expect(stream.map((r) => [op(r), key(r)])).toEqual([
      ['c', { region: 'us', id: 2 }],
      ['u', { region: 'us', id: 2 }],
      // a change of a message key column is a key change: delete of the old key, create of the new
      ['d', { region: 'us', id: 2 }],
      ['c', { region: 'apac', id: 2 }],
      ['d', { region: 'eu', id: 1 }],
    ]);
    expect(after(stream[1]!)).toMatchObject({ email: '***', note: 'chang', phone: null });
    expect(before(stream[1]!)).toMatchObject({ email: '***', note: 'x' });
    // REPLICA IDENTITY FULL: the delete's old row has every (masked) value
    expect(before(stream[4]!)).toEqual(firstRow);
  });

  it('reads every row in an incremental snapshot although many rows share one event key', async () => {
    const table = `orders_${++n}`;
    await db.client.query(`CREATE TABLE public.${table} (id int PRIMARY KEY, region text NOT NULL, v int NOT NULL)`);
    // 600 rows, only two distinct event keys
    await db.client.query(
      `INSERT INTO public.${table} SELECT g, CASE WHEN g % 2 = 0 THEN 'eu' ELSE 'us' END, 0 FROM generate_series(1, 600) g`,
    );
    const harness = await start(table, {
      'snapshot.mode': 'no_data',
      'message.key.columns': `public.${table}:region`,
      'signal.data.collection': 'public.sluice_signal',
      'incremental.snapshot.chunk.size': '250',
    });
    await harness.poll();
    await db.client.query('INSERT INTO public.sluice_signal (id, type, data) VALUES ($1, $2, $3)', [
      `colrules-${n}`,
      'execute-snapshot',
      JSON.stringify({ 'data-collections': [`public.${table}`], type: 'incremental' }),
    ]);
    // a streamed change to one row while the snapshot runs replaces only that row's read
    await db.client.query(`UPDATE public.${table} SET v = 1 WHERE id = 300`);
    const all = await collectUntil(
      harness,
      (got) => got.filter((r) => op(r) === 'r' || op(r) === 'u').length >= 600 && got.some((r) => op(r) === 'u'),
    );
    const reads = all.filter((r) => op(r) === 'r').map((r) => after(r)!['id'] as number);
    // every row except possibly 300 (read before or after its update, or replaced by the update)
    const expected = Array.from({ length: 600 }, (_, i) => i + 1).filter((id) => id !== 300);
    expect(reads.filter((id) => id !== 300).sort((a, b) => a - b)).toEqual(expected);
    expect(new Set(all.filter((r) => op(r) === 'r').map((r) => JSON.stringify(key(r))))).toEqual(
      new Set(['{"region":"eu"}', '{"region":"us"}']),
    );
  });

  it('fails the task with a message naming message.key.columns when a listed column does not exist', async () => {
    const table = `typo_${++n}`;
    await db.client.query(`CREATE TABLE public.${table} (id int PRIMARY KEY, email text)`);
    await db.client.query(`INSERT INTO public.${table} VALUES (1, 'a')`);
    // the snapshot reads the table while the task starts: the error comes from start() or the first poll
    const run = async () =>
      (await start(table, { 'message.key.columns': `public.${table}:mail` })).pollRecords(1, { timeoutMs: 10_000 });
    await expect(run()).rejects.toThrow(
      /message\.key\.columns names "mail", not a column of public\.typo_\d+ \(columns: id, email\)/,
    );
  });
});
