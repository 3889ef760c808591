import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isStruct, sinkRecord, type SinkRecord, type SourceRecord, type Struct } from '@sluice/core';
import { SinkTaskHarness, SourceTaskHarness } from '@sluice/testkit';
import { PostgresCdcSourceTask, PostgresSinkTask } from '../src/index.js';
import { createTestDatabase, postgresTestGate, type TestDatabase } from './support/postgres.js';

const gate = postgresTestGate();

const value = (r: SourceRecord): Struct => {
  if (!isStruct(r.value)) throw new Error(`record on ${r.topic} has no struct value`);
  return r.value;
};
const op = (r: SourceRecord) => value(r).get('op') as string;
const after = (r: SourceRecord) => value(r).get('after') as Struct | null;

describe.skipIf(gate.skip)('PostgreSQL connectors under schema changes and replays', () => {
  let db: TestDatabase;
  let target: TestDatabase;
  const harnesses: { stop(): Promise<void> }[] = [];
  let n = 0;

  beforeAll(async () => {
    db = await createTestDatabase('faults');
    target = await createTestDatabase('faults_dst');
  });
  afterEach(async () => {
    await Promise.all(harnesses.splice(0).map((h) => h.stop()));
  });
  afterAll(async () => {
    await db?.drop();
    await target?.drop();
  });

  async function source(table: string, extra: Record<string, string> = {}) {
    const slot = db.slotName(`f${++n}`);
    const harness = await SourceTaskHarness.start(() => new PostgresCdcSourceTask({ slotWaitTimeoutMs: 10_000 }), {
      config: {
        ...db.sourceConnection,
        'topic.prefix': 'srv',
        'slot.name': slot,
        'publication.name': `pub_${slot}`,
        'publication.autocreate.mode': 'filtered',
        'table.include.list': `public\\.${table}`,
        'poll.interval.ms': '50',
        ...extra,
      },
      idleBackoffMs: 20,
    });
    harnesses.push(harness);
    return harness;
  }

  it('picks up added, dropped and retyped columns mid-stream, losing no change', async () => {
    const table = `evolving_${++n}`;
    await db.client.query(`CREATE TABLE ${table} (id int PRIMARY KEY, qty int NOT NULL)`);
    const harness = await source(table, { 'snapshot.mode': 'no_data' });
    // Wait for the slot, then interleave DDL with writes, each step in its own transaction.
    await db.client.query(`INSERT INTO ${table} VALUES (1, 10)`);
    const first = await harness.pollRecords(1);
    expect(Object.keys(after(first[0]!)!.toJSON())).toEqual(['id', 'qty']);

    await db.client.query(`ALTER TABLE ${table} ADD COLUMN note text`);
    await db.client.query(`INSERT INTO ${table} VALUES (2, 20, 'added')`);
    await db.client.query(`UPDATE ${table} SET note = 'back-filled' WHERE id = 1`);
    await db.client.query(`ALTER TABLE ${table} ALTER COLUMN qty TYPE bigint`);
    await db.client.query(`INSERT INTO ${table} VALUES (3, 9007199254740993, 'big')`);
    await db.client.query(`ALTER TABLE ${table} DROP COLUMN note`);
    await db.client.query(`INSERT INTO ${table} VALUES (4, 40)`);
    // A DDL and a write in the same transaction.
    await db.client.query(`BEGIN; ALTER TABLE ${table} ADD COLUMN flag boolean NOT NULL DEFAULT true; INSERT INTO ${table} VALUES (5, 50, false); COMMIT`);

    const changes = await harness.pollRecords(5, { timeoutMs: 20_000 });
    const data = changes.filter((r) => r.value !== null);
    expect(data.map((r) => [op(r), after(r)?.get('id')])).toEqual([
      ['c', 2],
      ['u', 1],
      ['c', 3],
      ['c', 4],
      ['c', 5],
    ]);
    expect(after(data[0]!)!.toJSON()).toEqual({ id: 2, qty: 20, note: 'added' });
    expect(after(data[1]!)!.toJSON()).toEqual({ id: 1, qty: 10, note: 'back-filled' });
    // int4 → int8: the schema follows, and the value is exact
    expect(after(data[2]!)!.schema.field('qty')?.schema.type).toBe('int64');
    expect(String(after(data[2]!)!.get('qty'))).toBe('9007199254740993');
    expect(Object.keys(after(data[3]!)!.toJSON())).toEqual(['id', 'qty']);
    expect(after(data[4]!)!.toJSON()).toMatchObject({ id: 5, flag: false });
    // records before and after each change carry different value schemas
    const schemaFields = data.map((r) => after(r)!.schema.fields.map((f) => f.name).join(','));
    expect(schemaFields).toEqual(['id,qty,note', 'id,qty,note', 'id,qty,note', 'id,qty', 'id,qty,flag']);
  });

  it('replaying any range of CDC events into the sink leaves the target unchanged (checksum)', async () => {
    const table = `replayed_${++n}`;
    await db.client.query(`CREATE TABLE ${table} (id int PRIMARY KEY, name text NOT NULL, amount numeric(12,2), tags text[])`);
    await db.client.query(`INSERT INTO ${table} SELECT g, 'row ' || g, g * 1.25, ARRAY['a' || g] FROM generate_series(1, 200) g`);
    const src = await source(table);
    await db.client.query(`UPDATE ${table} SET amount = amount * 2, tags = tags || ARRAY['u'] WHERE id % 3 = 0`);
    await db.client.query(`DELETE FROM ${table} WHERE id % 7 = 0`);
    await db.client.query(`INSERT INTO ${table} SELECT g, 'late ' || g, NULL, NULL FROM generate_series(201, 260) g`);
    await db.client.query(`UPDATE ${table} SET name = 'renamed' WHERE id BETWEEN 150 AND 230`);
    const expectedCount = Number((await db.client.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n);
    // snapshot (200) + 66 updates + 28 deletes (+ 28 tombstones) + 60 inserts + 74 updates (81 ids, 7 deleted)
    const EVENTS = 200 + 66 + 28 + 60 + 74;
    const events: SourceRecord[] = [];
    const deadline = Date.now() + 30_000;
    while (events.filter((r) => r.value !== null).length < EVENTS && Date.now() < deadline) events.push(...(await src.poll()));
    expect(events.filter((r) => r.value !== null)).toHaveLength(EVENTS);
    const records: SinkRecord[] = events.map((r, i) =>
      sinkRecord({ topic: r.topic, kafkaPartition: 0, kafkaOffset: i, keySchema: r.keySchema, key: r.key, valueSchema: r.valueSchema, value: r.value }),
    );
    const topic = records[0]!.topic;
    const sink = await SinkTaskHarness.start(new PostgresSinkTask(), {
      config: {
        'connection.url': target.jdbcUrl,
        'connection.username': 'postgres',
        'insert.mode': 'upsert',
        'primary.key.mode': 'record_key',
        'delete.enabled': 'true',
        'schema.evolution': 'basic',
        'table.name.format': `public.${table}`,
        'batch.size': '50',
      },
      partitions: [{ topic, partition: 0 }],
    });
    harnesses.push(sink);
    const checksum = async (d: TestDatabase) =>
      (
        await d.client.query(
          `SELECT count(*)::int AS n, md5(string_agg(id || '|' || name || '|' || coalesce(amount::text, '-') || '|' || coalesce(tags::text, '-'), ',' ORDER BY id)) AS sum FROM public.${table}`,
        )
      ).rows[0] as { n: number; sum: string };
    await sink.put(records);
    const once = await checksum(target);
    expect(once).toEqual(await checksum(db));
    expect(once.n).toBe(expectedCount);
    // the whole range again, then a range starting in the middle of the updates, in other batch cuts
    await sink.put(records);
    for (let i = 250; i < records.length; i += 37) await sink.put(records.slice(i, i + 37));
    await sink.commit();
    expect(await checksum(target)).toEqual(once);
  });
  it('runs heartbeat.action.query with every heartbeat, and only warns when it fails', async () => {
    const table = `quiet_${++n}`;
    await db.client.query(`CREATE TABLE ${table} (id int PRIMARY KEY)`);
    await db.client.query(`CREATE TABLE ${table}_hb (at timestamptz NOT NULL)`);
    const harness = await source(table, {
      'snapshot.mode': 'no_data',
      'heartbeat.interval.ms': '100',
      'heartbeat.action.query': `INSERT INTO ${table}_hb VALUES (now())`,
    });
    const beats = () => db.client.query(`SELECT count(*)::int AS n FROM ${table}_hb`).then((r) => Number(r.rows[0].n));
    const deadline = Date.now() + 15_000;
    while ((await beats()) < 3 && Date.now() < deadline) await harness.poll();
    expect(await beats()).toBeGreaterThanOrEqual(3);
    const broken = await source(table, { 'snapshot.mode': 'no_data', 'heartbeat.interval.ms': '100', 'heartbeat.action.query': 'INSERT INTO no_such_table VALUES (1)' });
    const until = Date.now() + 15_000;
    while (!broken.capturedLogs.at('warn').some((e) => e.msg === 'heartbeat.action.query failed') && Date.now() < until) await broken.poll();
    expect(broken.capturedLogs.at('warn').find((e) => e.msg === 'heartbeat.action.query failed')?.fields['error']).toMatch(/no_such_table/);
    await db.client.query(`INSERT INTO ${table} VALUES (1)`);
    const more = await broken.pollUntil((c) => c.some((r) => r.topic === `srv.public.${table}`), { timeoutMs: 15_000 });
    expect(more.some((r) => r.topic === `srv.public.${table}`)).toBe(true);
  });
  it('drops the slot on a graceful stop only when slot.drop.on.stop is set', async () => {
    const table = `dropped_${++n}`;
    await db.client.query(`CREATE TABLE ${table} (id int PRIMARY KEY)`);
    const slots = async () =>
      (await db.client.query('SELECT slot_name FROM pg_replication_slots WHERE database = $1 ORDER BY slot_name', [db.name])).rows.map((r) => String(r.slot_name));
    const kept = await source(table, { 'snapshot.mode': 'no_data' });
    await kept.poll();
    await kept.stop();
    const dropping = await source(table, { 'snapshot.mode': 'no_data', 'slot.drop.on.stop': 'true' });
    await dropping.poll();
    const before = await slots();
    await dropping.stop();
    const after = await slots();
    // the stopped task's slot without the option is still there; only the other one went
    expect(before.length).toBeGreaterThanOrEqual(2);
    expect(after.length).toBe(before.length - 1);
    expect(dropping.capturedLogs.at('warn').some((e) => String(e.msg).includes('slot.drop.on.stop'))).toBe(true);
  });
});
