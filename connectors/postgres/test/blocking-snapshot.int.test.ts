import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SourceRecord } from '@sluice/core';
import { afterOf, CdcHarnesses, collectUntil as collect, idOf, op, snapshotMarker } from './support/cdc-harness.js';
import { createTestDatabase, postgresTestGate, type TestDatabase } from './support/postgres.js';

const gate = postgresTestGate();

/**
 * Blocking snapshots (`execute-snapshot` with `"type": "blocking"`) against a real PostgreSQL:
 * streaming stops at the signal, the tables are read, streaming goes on after the signal; a crash in
 * the middle resumes the snapshot after its last committed row, and the signal is not run twice.
 */
describe.skipIf(gate.skip)('PostgreSQL blocking snapshots (signal table)', () => {
  let db: TestDatabase;
  let harnesses: CdcHarnesses;
  let n = 0;

  beforeAll(async () => {
    db = await createTestDatabase('blocking');
    harnesses = new CdcHarnesses(db, 'blk');
    await db.client.query('CREATE TABLE public.sluice_signal (id text PRIMARY KEY, type text NOT NULL, data text)');
  });
  afterEach(() => harnesses.stopAll());
  afterAll(async () => {
    await db?.drop();
  });

  async function fixture(rows: number) {
    const table = `items_${++n}`;
    await db.client.query(`CREATE TABLE public.${table} (id int PRIMARY KEY, v int NOT NULL)`);
    await db.client.query(`INSERT INTO public.${table} SELECT g, 0 FROM generate_series(1, ${rows}) g`);
    const harness = await harnesses.start(table, {
      'snapshot.mode': 'no_data',
      'snapshot.fetch.size': '100',
      'signal.data.collection': 'public.sluice_signal',
      'incremental.snapshot.chunk.size': '100',
    });
    await harness.poll();
    return { table, harness };
  }

  const signal = (id: string, data: unknown) =>
    db.client.query("INSERT INTO public.sluice_signal (id, type, data) VALUES ($1, 'execute-snapshot', $2)", [
      `${id}-${n}`,
      JSON.stringify(data),
    ]);

  it('stops streaming at the signal, reads the table, then streams what came after the signal', async () => {
    const { table, harness } = await fixture(250);
    await db.client.query(`INSERT INTO public.${table} VALUES (1000, 1)`);
    await signal('blocking-1', { 'data-collections': [`public.${table}`], type: 'blocking' });
    await db.client.query(`INSERT INTO public.${table} VALUES (2000, 2)`);
    const records = await collect(harness, (all) => all.some((r) => op(r) === 'c' && idOf(r) === 2000));
    const ops = records.map((r) => `${op(r)}:${idOf(r)}`);
    const firstRead = ops.findIndex((o) => o.startsWith('r:'));
    const lastRead = ops.map((o) => o.startsWith('r:')).lastIndexOf(true);
    // before the signal: streamed; then every read in one run; then what was streamed after the signal
    expect(ops.indexOf('c:1000')).toBeLessThan(firstRead);
    expect(ops.indexOf('c:2000')).toBeGreaterThan(lastRead);
    const reads = records.slice(firstRead, lastRead + 1);
    expect(reads.every((r) => op(r) === 'r')).toBe(true);
    const ids = reads.map(idOf);
    // the table as it is when read: every row up to 1000, and 2000 when it was committed by then
    expect(ids.filter((id) => id !== 2000)).toEqual([...Array.from({ length: 250 }, (_, i) => i + 1), 1000]);
    expect(snapshotMarker(reads[0]!)).toBe('true');
    expect(snapshotMarker(reads[reads.length - 1]!)).toBe('last');
    // the unfinished reads say they belong to a blocking snapshot; the last one does not
    expect(JSON.parse(String(reads[0]!.sourceOffset['blocking_snapshot'])).tables).toEqual([
      { table: `public.${table}`, filter: null },
    ]);
    expect(reads[reads.length - 1]!.sourceOffset['blocking_snapshot']).toBeUndefined();
    // signal rows are never data
    expect(records.every((r) => r.topic === `srv.public.${table}`)).toBe(true);
  });

  it('reads only the rows additional-conditions selects', async () => {
    const { table, harness } = await fixture(100);
    await signal('blocking-2', {
      'data-collections': [`public.${table}`],
      type: 'blocking',
      'additional-conditions': [{ 'data-collection': `public.${table}`, filter: 'id % 10 = 0' }],
    });
    await db.client.query(`INSERT INTO public.${table} VALUES (5001, 1)`);
    const records = await collect(harness, (all) => all.some((r) => op(r) === 'c'));
    expect(records.filter((r) => op(r) === 'r').map(idOf)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
  });

  it('resumes after a crash after its last committed row and does not run the signal again', async () => {
    const { table, harness } = await fixture(1000);
    await signal('blocking-3', { 'data-collections': [`public.${table}`], type: 'blocking' });
    const first = await collect(harness, (all) => all.filter((r) => op(r) === 'r').length >= 300);
    await harness.commitOffsets();
    const committed = new Set(first.filter((r) => op(r) === 'r').map(idOf));
    await harness.poll(); // more, never committed
    await harness.restart(); // a crash: a new task from the committed offsets
    await db.client.query(`INSERT INTO public.${table} VALUES (9000, 9)`);
    const rest = await collect(harness, (all) => all.some((r) => op(r) === 'c' && idOf(r) === 9000));
    // 9000 is read too when it was committed before the resumed snapshot reached the table's end
    const restReads = rest
      .filter((r) => op(r) === 'r')
      .map(idOf)
      .filter((id) => id !== 9000);
    // together every row once at least; the resumed run starts after the last committed row
    expect(new Set([...committed, ...restReads]).size).toBe(1000);
    expect(restReads.filter((id) => committed.has(id))).toEqual([]);
    expect(restReads.length).toBe(1000 - committed.size);
    // the signal was delivered with the first reads: the snapshot is not started over
    expect(rest.filter((r) => op(r) === 'r').length).toBeLessThan(1000);
  });

  it('runs alongside an incremental snapshot of the same table, ending with every row in its final state', async () => {
    const { table, harness } = await fixture(600);
    await db.client.query(`INSERT INTO public.sluice_signal (id, type, data) VALUES ($1, 'execute-snapshot', $2)`, [
      `incr-${n}`,
      JSON.stringify({ 'data-collections': [`public.${table}`], type: 'incremental' }),
    ]);
    // let the incremental snapshot open a window, then ask for a blocking one and keep writing
    await collect(harness, (all) => all.some((r) => snapshotMarker(r) === 'incremental'));
    await signal('blocking-4', { 'data-collections': [`public.${table}`], type: 'blocking' });
    for (let i = 0; i < 10; i++) await db.client.query(`UPDATE public.${table} SET v = v + 1 WHERE id % 10 = ${i}`);
    await db.client.query(`DELETE FROM public.${table} WHERE id BETWEEN 50 AND 59`);
    // markers until one is delivered after the incremental snapshot finished
    const all: SourceRecord[] = [];
    for (let marker = 10_000; ; marker++) {
      await db.client.query(`INSERT INTO public.${table} VALUES (${marker}, 0)`);
      all.push(...(await collect(harness, (got) => got.some((r) => op(r) === 'c' && idOf(r) === marker))));
      const last = all.filter((r) => op(r) === 'c' && idOf(r) === marker).at(-1)!;
      if (last.sourceOffset['incremental_snapshot'] === undefined) break;
      if (marker > 10_200) throw new Error('the incremental snapshot did not finish');
    }
    // applying every event in order per key gives the table
    const state = new Map<number, number>();
    for (const r of all) {
      if (r.value === null) continue;
      if (op(r) === 'd') state.delete(idOf(r));
      else state.set(idOf(r), Number(afterOf(r)!.get('v')));
    }
    const rows = await db.client.query<{ id: number; v: number }>(`SELECT id, v FROM public.${table} ORDER BY id`);
    expect([...state.entries()].sort((a, b) => a[0] - b[0])).toEqual(rows.rows.map((row) => [row.id, row.v]));
    expect(all.filter((r) => snapshotMarker(r) === 'last')).toHaveLength(1);
  });
});
