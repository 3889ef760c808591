import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isStruct, type SourceRecord, type Struct } from '@sluice/core';
import { CapturingLogger, SourceTaskHarness } from '@sluice/testkit';
import { PostgresCdcSourceTask } from '../src/index.js';
import { createTestDatabase, lsnValue, postgresTestGate, type TestDatabase } from './support/postgres.js';

const gate = postgresTestGate();

function value(r: SourceRecord): Struct {
  if (!isStruct(r.value)) throw new Error(`record on ${r.topic} has no struct value`);
  return r.value;
}
const op = (r: SourceRecord) => value(r).get('op') as string;
const after = (r: SourceRecord) => value(r).get('after') as Struct | null;
const before = (r: SourceRecord) => value(r).get('before') as Struct | null;
const source = (r: SourceRecord) => value(r).get('source') as Struct;
const keyOf = (r: SourceRecord) => (isStruct(r.key) ? r.key.toJSON() : r.key);

describe.skipIf(gate.skip)('PostgresCdcSource against PostgreSQL', () => {
  let db: TestDatabase;
  const harnesses: SourceTaskHarness[] = [];
  let tableCounter = 0;

  beforeAll(async () => {
    db = await createTestDatabase('cdc');
  });
  afterEach(async () => {
    await Promise.all(harnesses.splice(0).map((h) => h.stop()));
  });
  afterAll(async () => {
    await db?.drop();
  });

  /** A fresh table name, slot and publication per test so tests never see each other's changes. */
  function fixture(label: string) {
    const n = ++tableCounter;
    const table = `${label}_${n}`;
    const slot = db.slotName(label);
    return {
      table,
      slot,
      topic: `srv.public.${table}`,
      config: (extra: Record<string, string> = {}): Record<string, string> => ({
        ...db.sourceConnection,
        'topic.prefix': 'srv',
        'slot.name': slot,
        'publication.name': `pub_${slot}`,
        'publication.autocreate.mode': 'filtered',
        'table.include.list': `public\\.${table}`,
        'poll.interval.ms': '100',
        ...extra,
      }),
    };
  }

  async function start(config: Record<string, string>, logger?: CapturingLogger) {
    const harness = await SourceTaskHarness.start(() => new PostgresCdcSourceTask({ slotWaitTimeoutMs: 10_000 }), {
      config,
      idleBackoffMs: 20,
      ...(logger === undefined ? {} : { logger }),
    });
    harnesses.push(harness);
    return harness;
  }

  it('snapshots existing rows as reads, then streams inserts, updates and deletes in commit order', async () => {
    const f = fixture('orders');
    await db.client.query(`CREATE TABLE ${f.table} (id int PRIMARY KEY, name text NOT NULL, note varchar(20))`);
    await db.client.query(`INSERT INTO ${f.table} VALUES (1, 'ada', 'first'), (2, 'grace', NULL), (3, 'alan', 'x')`);
    const harness = await start(f.config());
    const snap = await harness.pollRecords(3);
    expect(snap.map(op)).toEqual(['r', 'r', 'r']);
    expect(snap.map((r) => after(r)?.get('id'))).toEqual([1, 2, 3]);
    expect(snap.map((r) => source(r).get('snapshot'))).toEqual(['true', 'true', 'last']);
    expect(snap[0]!.topic).toBe(f.topic);
    expect(keyOf(snap[0]!)).toEqual({ id: 1 });
    expect(snap[0]!.keySchema?.name).toBe(`srv.public.${f.table}.Key`);
    expect(snap[0]!.valueSchema?.name).toBe(`srv.public.${f.table}.Envelope`);
    expect(after(snap[1]!)?.toJSON()).toEqual({ id: 2, name: 'grace', note: null });
    expect(source(snap[0]!).toJSON()).toMatchObject({
      connector: 'postgresql',
      name: 'srv',
      db: db.name,
      schema: 'public',
      table: f.table,
    });

    await db.client.query(`INSERT INTO ${f.table} VALUES (4, 'edsger', 'n')`);
    await db.client.query(`UPDATE ${f.table} SET name = 'ada lovelace' WHERE id = 1`);
    await db.client.query(`DELETE FROM ${f.table} WHERE id = 2`);
    const changes = await harness.pollRecords(4);
    expect(changes.map((r) => (r.value === null ? 'tombstone' : op(r)))).toEqual(['c', 'u', 'd', 'tombstone']);
    expect(after(changes[0]!)?.toJSON()).toEqual({ id: 4, name: 'edsger', note: 'n' });
    expect(before(changes[0]!)).toBeNull();
    expect(after(changes[1]!)?.get('name')).toBe('ada lovelace');
    // REPLICA IDENTITY DEFAULT: no old row for an update that keeps the key
    expect(before(changes[1]!)).toBeNull();
    expect(after(changes[2]!)).toBeNull();
    expect(before(changes[2]!)?.get('id')).toBe(2);
    expect(keyOf(changes[3]!)).toEqual({ id: 2 });
    const lsns = changes.slice(0, 3).map((r) => Number(source(r).get('lsn')));
    expect([...lsns].sort((a, b) => a - b)).toEqual(lsns);
    expect(new Set(changes.slice(0, 3).map((r) => source(r).get('txId'))).size).toBe(3);
    expect(changes.every((r) => r.sourcePartition['server'] === 'srv')).toBe(true);
  });

  it('reads the snapshot as of the slot consistent point and streams every later change after it', async () => {
    const f = fixture('consistent');
    await db.client.query(`CREATE TABLE ${f.table} (id int PRIMARY KEY, v int NOT NULL)`);
    await db.client.query(`INSERT INTO ${f.table} SELECT g, 0 FROM generate_series(1, 5) g`);
    const harness = await start(f.config({ 'snapshot.fetch.size': '2' }));
    // start() created the slot and imported its snapshot; these changes come after the consistent point
    await db.client.query(`UPDATE ${f.table} SET v = 1 WHERE id = 5`);
    await db.client.query(`DELETE FROM ${f.table} WHERE id = 1`);
    await db.client.query(`INSERT INTO ${f.table} VALUES (6, 0)`);
    const rs = await harness.pollUntil((c) => c.some((r) => r.value !== null && op(r) === 'c'));
    const reads = rs.filter((r) => r.value !== null && op(r) === 'r');
    expect(reads.map((r) => after(r)?.toJSON())).toEqual([1, 2, 3, 4, 5].map((id) => ({ id, v: 0 })));
    const changes = rs.filter((r) => r.value !== null && op(r) !== 'r');
    expect(changes.map((r) => `${op(r)}:${String((after(r) ?? before(r))?.get('id'))}`)).toEqual(['u:5', 'd:1', 'c:6']);
  });

  it('carries full before images with REPLICA IDENTITY FULL and splits a primary key change into delete and create', async () => {
    const f = fixture('ident');
    await db.client.query(`CREATE TABLE ${f.table} (id int PRIMARY KEY, qty int NOT NULL)`);
    await db.client.query(`ALTER TABLE ${f.table} REPLICA IDENTITY FULL`);
    const harness = await start(f.config({ 'snapshot.mode': 'no_data' }));
    await harness.poll();
    await db.client.query(`INSERT INTO ${f.table} VALUES (1, 10)`);
    await db.client.query(`UPDATE ${f.table} SET qty = 11 WHERE id = 1`);
    await db.client.query(`UPDATE ${f.table} SET id = 2 WHERE id = 1`);
    const rs = await harness.pollRecords(5);
    expect(rs.map((r) => (r.value === null ? 'tombstone' : op(r)))).toEqual(['c', 'u', 'd', 'tombstone', 'c']);
    expect(before(rs[1]!)?.toJSON()).toEqual({ id: 1, qty: 10 });
    expect(after(rs[1]!)?.toJSON()).toEqual({ id: 1, qty: 11 });
    expect(keyOf(rs[2]!)).toEqual({ id: 1 });
    expect(keyOf(rs[4]!)).toEqual({ id: 2 });
    expect(after(rs[4]!)?.toJSON()).toEqual({ id: 2, qty: 11 });
  });

  it('emits transaction metadata: BEGIN and END records around a transaction and an order for each event', async () => {
    const f = fixture('txmeta');
    await db.client.query(`CREATE TABLE ${f.table} (id int PRIMARY KEY)`);
    const harness = await start(f.config({ 'snapshot.mode': 'no_data', 'provide.transaction.metadata': 'true' }));
    await harness.poll();
    await db.client.query('BEGIN');
    await db.client.query(`INSERT INTO ${f.table} VALUES (1), (2), (3)`);
    await db.client.query('COMMIT');
    const rs = await harness.pollRecords(5);
    expect(rs.map((r) => r.topic)).toEqual(['srv.transaction', f.topic, f.topic, f.topic, 'srv.transaction']);
    const begin = value(rs[0]!);
    const end = value(rs[4]!);
    expect(begin.get('status')).toBe('BEGIN');
    expect(end.get('status')).toBe('END');
    expect(end.get('event_count')).toBe(3);
    expect((end.get('data_collections') as Struct[]).map((s) => s.toJSON())).toEqual([
      { data_collection: `public.${f.table}`, event_count: 3 },
    ]);
    const id = begin.get('id') as string;
    expect(id).toMatch(/^\d+:\d+$/);
    expect(end.get('id')).toBe(id);
    const blocks = rs.slice(1, 4).map((r) => (value(r).get('transaction') as Struct).toJSON());
    expect(blocks).toEqual([1, 2, 3].map((n) => ({ id, total_order: n, data_collection_order: n })));
  });

  it('resumes from the committed offset after a crash, losing nothing and repeating only uncommitted records', async () => {
    const f = fixture('crash');
    await db.client.query(`CREATE TABLE ${f.table} (id int PRIMARY KEY)`);
    const config = f.config({ 'snapshot.mode': 'no_data', 'max.batch.size': '5', 'max.queue.size': '50' });
    const harness = await start(config);
    await harness.poll();
    // one transaction: all 20 events share a commit LSN, so only the event index tells them apart
    await db.client.query(`INSERT INTO ${f.table} SELECT g FROM generate_series(1, 20) g`);
    const firstTen = await harness.pollRecords(10);
    expect(firstTen.length).toBe(10);
    await harness.commitOffsets();
    const uncommitted = await harness.pollRecords(1);
    await harness.restart(); // crash: what was polled after the commit is forgotten
    const committedIds = firstTen.map((r) => after(r)?.get('id'));
    const afterRestart = await harness.pollUntil((c) => c.some((r) => after(r)?.get('id') === 20));
    const restartIds = afterRestart.map((r) => after(r)?.get('id'));
    expect(restartIds[0]).toBe(11);
    expect(restartIds).toEqual(Array.from({ length: 10 }, (_, i) => i + 11));
    const all = [...committedIds, ...restartIds];
    expect(new Set(all).size).toBe(20);
    expect(uncommitted.length).toBeGreaterThan(0);
  });

  it('never lets the slot confirm past what was committed', async () => {
    const f = fixture('confirm');
    await db.client.query(`CREATE TABLE ${f.table} (id int PRIMARY KEY)`);
    const harness = await start(f.config({ 'snapshot.mode': 'no_data', 'status.update.interval.ms': '100' }));
    await harness.poll();
    const initial = await db.confirmedFlush(f.slot);
    expect(initial).not.toBeNull();
    for (let i = 1; i <= 3; i++) await db.client.query(`INSERT INTO ${f.table} VALUES ($1)`, [i]);
    const polled = await harness.pollRecords(3);
    // received and acknowledged, but no offsets commit yet: the slot must stay put across status updates
    await new Promise((r) => setTimeout(r, 400));
    expect(await db.confirmedFlush(f.slot)).toBe(initial);
    await harness.commitOffsets();
    await harness.commitOffsets();
    const committedCommitLsn = BigInt(harness.committedOffset({ server: 'srv' })?.['lsn_commit'] as number);
    await waitFor(async () => lsnValue((await db.confirmedFlush(f.slot)) as string) > lsnValue(initial as string));
    const confirmed = lsnValue((await db.confirmedFlush(f.slot)) as string);
    expect(confirmed).toBeLessThanOrEqual(committedCommitLsn);
    expect(confirmed).toBe(BigInt(polled[2]!.sourceOffset['lsn_commit'] as number));
    // more changes polled but not committed never move it further
    await db.client.query(`INSERT INTO ${f.table} VALUES (4)`);
    await harness.pollRecords(1);
    await new Promise((r) => setTimeout(r, 400));
    expect(lsnValue((await db.confirmedFlush(f.slot)) as string)).toBe(confirmed);
  });

  it('advances the offset with heartbeats while only uncaptured tables change, so the slot can be confirmed', async () => {
    const f = fixture('quiet');
    await db.client.query(`CREATE TABLE ${f.table} (id int PRIMARY KEY)`);
    await db.client.query(`CREATE TABLE ${f.table}_busy (id int)`);
    const harness = await start(f.config({ 'snapshot.mode': 'no_data', 'heartbeat.interval.ms': '200' }));
    const heartbeatTopic = '__debezium-heartbeat.srv';
    const [first] = await harness.pollUntil((c) => c.some((r) => r.topic === heartbeatTopic));
    expect(first!.topic).toBe(heartbeatTopic);
    expect(keyOf(first!)).toEqual({ serverName: 'srv' });
    const startLsn = first!.sourceOffset['lsn_commit'] as number;
    const initial = lsnValue((await db.confirmedFlush(f.slot)) as string);
    for (let i = 0; i < 5; i++)
      await db.client.query(`INSERT INTO ${f.table}_busy SELECT g FROM generate_series(1, 200) g`);
    const later = await harness.pollUntil(
      (c) => c.some((r) => r.topic === heartbeatTopic && (r.sourceOffset['lsn_commit'] as number) > startLsn),
      { timeoutMs: 15_000 },
    );
    expect(later.every((r) => r.topic === heartbeatTopic)).toBe(true);
    await harness.commitOffsets();
    await harness.commitOffsets();
    await waitFor(async () => lsnValue((await db.confirmedFlush(f.slot)) as string) > initial);
  });

  it('renders unchanged TOASTed values with the Debezium placeholder', async () => {
    const f = fixture('toast');
    await db.client.query(`CREATE TABLE ${f.table} (id int PRIMARY KEY, big text, n int)`);
    const harness = await start(f.config({ 'snapshot.mode': 'no_data' }));
    await harness.poll();
    // random hex does not compress, so it is stored out of line (TOASTed)
    await db.client.query(
      `INSERT INTO ${f.table} VALUES (1, (SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 400)), 1)`,
    );
    await db.client.query(`UPDATE ${f.table} SET n = 2 WHERE id = 1`);
    const [insert, update] = await harness.pollRecords(2);
    expect((after(insert!)?.get('big') as string).length).toBe(32 * 400);
    expect(after(update!)?.get('big')).toBe('__debezium_unavailable_value');
    expect(after(update!)?.get('n')).toBe(2);
  });

  it('resumes an interrupted snapshot after the last committed key', async () => {
    const f = fixture('snapresume');
    await db.client.query(`CREATE TABLE ${f.table} (id int PRIMARY KEY, v text)`);
    await db.client.query(`INSERT INTO ${f.table} SELECT g, 'v' || g FROM generate_series(1, 7) g`);
    const harness = await start(f.config({ 'snapshot.fetch.size': '2' }));
    const firstChunk = await harness.pollRecords(2);
    expect(firstChunk.map((r) => after(r)?.get('id'))).toEqual([1, 2]);
    await harness.commitOffsets();
    await harness.pollRecords(2); // ids 3, 4: never committed
    await harness.restart();
    const resumed = await harness.pollUntil((c) => c.some((r) => source(r).get('snapshot') === 'last'));
    expect(resumed.map((r) => after(r)?.get('id'))).toEqual([3, 4, 5, 6, 7]);
    expect(resumed.every((r) => op(r) === 'r')).toBe(true);
    // the slot kept its consistent point, so streaming continues from there
    await db.client.query(`INSERT INTO ${f.table} VALUES (100, 'streamed')`);
    const rest = await harness.pollUntil((c) => c.some((r) => after(r)?.get('id') === 100));
    expect(rest.filter((r) => op(r) === 'c').map((r) => after(r)?.get('id'))).toEqual([100]);
  });

  it('emits truncate events when truncates are not skipped', async () => {
    const f = fixture('trunc');
    await db.client.query(`CREATE TABLE ${f.table} (id int PRIMARY KEY)`);
    const harness = await start(f.config({ 'snapshot.mode': 'no_data', 'skipped.operations': 'none' }));
    await harness.poll();
    await db.client.query(`INSERT INTO ${f.table} VALUES (1)`);
    await db.client.query(`TRUNCATE ${f.table}`);
    const rs = await harness.pollRecords(2);
    expect(rs.map(op)).toEqual(['c', 't']);
    expect(rs[1]!.key).toBeNull();
    expect(after(rs[1]!)).toBeNull();
  });

  it('delivers a transaction much larger than the queue completely and in order', async () => {
    const f = fixture('backpressure');
    await db.client.query(`CREATE TABLE ${f.table} (id int PRIMARY KEY, pad text)`);
    const harness = await start(f.config({ 'snapshot.mode': 'no_data', 'max.queue.size': '8', 'max.batch.size': '4' }));
    await harness.poll();
    await db.client.query(`INSERT INTO ${f.table} SELECT g, repeat('x', 100) FROM generate_series(1, 2000) g`);
    const rs = await harness.pollUntil((c) => c.length >= 2000, { timeoutMs: 60_000 });
    expect(rs.map((r) => after(r)?.get('id'))).toEqual(Array.from({ length: 2000 }, (_, i) => i + 1));
  });

  it('fails with recovery instructions when the slot no longer holds the stored position', async () => {
    const f = fixture('lostslot');
    await db.client.query(`CREATE TABLE ${f.table} (id int PRIMARY KEY)`);
    const harness = await start(f.config({ 'snapshot.mode': 'no_data' }));
    await harness.poll();
    await db.client.query(`INSERT INTO ${f.table} VALUES (1)`);
    await harness.pollRecords(1);
    await harness.commitOffsets();
    await harness.stop();
    await waitFor(async () => {
      const { rows } = await db.client.query('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [f.slot]);
      return rows[0]?.active === false;
    });
    await db.client.query('SELECT pg_drop_replication_slot($1)', [f.slot]);
    await expect(harness.restart()).rejects.toThrow(/no longer available on the server.*snapshot\.mode=when_needed/s);
  });

  it('reconnects after the server terminates its replication connection, without losing or repeating changes', async () => {
    const f = fixture('terminate');
    await db.client.query(`CREATE TABLE ${f.table} (id int PRIMARY KEY)`);
    const harness = await start(f.config({ 'snapshot.mode': 'no_data' }));
    await harness.poll();
    await db.client.query(`INSERT INTO ${f.table} VALUES (1), (2)`);
    const before = await harness.pollRecords(2);
    await db.client.query('SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = $1', [
      f.slot,
    ]);
    await db.client.query(`INSERT INTO ${f.table} VALUES (3)`);
    await db.client.query(`INSERT INTO ${f.table} VALUES (4)`);
    const afterwards = await harness.pollUntil((c) => c.some((r) => after(r)?.get('id') === 4), { timeoutMs: 20_000 });
    expect([...before, ...afterwards].map((r) => after(r)?.get('id'))).toEqual([1, 2, 3, 4]);
  });

  it('re-snapshots instead of failing when the slot is gone and snapshot.mode=when_needed', async () => {
    const f = fixture('whenneeded');
    await db.client.query(`CREATE TABLE ${f.table} (id int PRIMARY KEY)`);
    await db.client.query(`INSERT INTO ${f.table} VALUES (1)`);
    const harness = await start(f.config({ 'snapshot.mode': 'when_needed' }));
    await harness.pollRecords(1);
    await harness.commitOffsets();
    await harness.stop();
    await waitFor(
      async () =>
        (await db.client.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1 AND NOT active', [f.slot])).rows
          .length === 1,
    );
    await db.client.query('SELECT pg_drop_replication_slot($1)', [f.slot]);
    await db.client.query(`INSERT INTO ${f.table} VALUES (2)`); // written while no slot existed
    await harness.restart();
    const reread = await harness.pollUntil((c) => c.some((r) => source(r).get('snapshot') === 'last'));
    expect(reread.map((r) => [op(r), after(r)?.get('id')])).toEqual([
      ['r', 1],
      ['r', 2],
    ]);
    expect(await db.confirmedFlush(f.slot)).not.toBeNull();
  });

  it('snapshots without creating a slot when snapshot.mode=initial_only, then produces nothing more', async () => {
    const f = fixture('initialonly');
    await db.client.query(`CREATE TABLE ${f.table} (id int PRIMARY KEY)`);
    await db.client.query(`INSERT INTO ${f.table} VALUES (1), (2)`);
    const harness = await start(f.config({ 'snapshot.mode': 'initial_only' }));
    const rs = await harness.pollRecords(2);
    expect(rs.map(op)).toEqual(['r', 'r']);
    await db.client.query(`INSERT INTO ${f.table} VALUES (3)`);
    expect(await harness.poll()).toEqual([]);
    expect(await harness.poll()).toEqual([]);
    expect(await db.confirmedFlush(f.slot)).toBeNull();
  });

  it('takes a new snapshot and streams from the slot when a slot exists but no offset was committed', async () => {
    const f = fixture('orphanslot');
    await db.client.query(`CREATE TABLE ${f.table} (id int PRIMARY KEY)`);
    await db.client.query(`INSERT INTO ${f.table} VALUES (1)`);
    const first = await start(f.config());
    await first.pollRecords(1);
    await first.restart(); // crash before any commit: the slot exists, the offsets do not
    await first.pollUntil((c) => c.some((r) => source(r).get('snapshot') === 'last'));
    await db.client.query(`INSERT INTO ${f.table} VALUES (2)`);
    const streamed = await first.pollUntil((c) => c.some((r) => after(r)?.get('id') === 2));
    expect(streamed.filter((r) => op(r) === 'c').map((r) => after(r)?.get('id'))).toEqual([2]);
  });

  it('rejects a missing publication when publication.autocreate.mode=disabled', async () => {
    const f = fixture('nopub');
    await db.client.query(`CREATE TABLE ${f.table} (id int PRIMARY KEY)`);
    await expect(start(f.config({ 'publication.autocreate.mode': 'disabled' }))).rejects.toThrow(
      /does not exist and publication.autocreate.mode is disabled/,
    );
    expect(await db.confirmedFlush(f.slot)).toBeNull();
  });

  it('warns about captured tables whose replica identity cannot produce before images', async () => {
    const f = fixture('noident');
    await db.client.query(`CREATE TABLE ${f.table} (a int)`);
    const logger = new CapturingLogger();
    await start(f.config({ 'snapshot.mode': 'no_data' }), logger);
    expect(
      logger.entries.some(
        (e) => e.level === 'warn' && e.msg.includes(`public.${f.table}`) && e.msg.includes('REPLICA IDENTITY'),
      ),
    ).toBe(true);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
