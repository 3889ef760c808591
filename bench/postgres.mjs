// PostgreSQL connector throughput against PostgreSQL's own tools doing the same work, in the same run,
// on the local PostgreSQL (127.0.0.1:5432, trust auth, wal_level=logical — scripts/postgres/ensure-logical.sh):
//   CDC drain: an update backlog of --rows rows (~--size bytes each, transactions of 10,000 rows) behind
//              two pgoutput slots; PostgresCdcSourceTask.poll drains one, pg_recvlogical (pgoutput,
//              to /dev/null, --endpos) the other. The task decodes and builds Debezium envelopes; the
//              baseline only copies the stream's bytes: the ratio is the cost of decoding.
//   sink:      PostgresSinkTask.put of --rows records (struct key + value) in insert mode into an empty
//              table vs psql \copy of the same rows from a CSV file; in upsert mode over existing rows vs
//              a server-side INSERT … SELECT … ON CONFLICT DO UPDATE of the same rows.
// Build first: npx tsc -b (npm run bench:postgres does).
//
//   node bench/postgres.mjs [--rows 200000] [--size 100] [--batch 1000]
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { PostgresCdcSourceTask, PostgresSinkTask } from '../connectors/postgres/dist/index.js';
import { SchemaBuilder, Schemas, Struct, sinkRecord } from '../core/dist/index.js';
import { SinkTaskHarness, SourceTaskHarness } from '../testkit/dist/index.js';

const args = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const ROWS = Number(arg('rows', '200000'));
const SIZE = Number(arg('size', '100'));
const BATCH = Number(arg('batch', '1000'));
const HOST = process.env.PGHOST ?? '127.0.0.1';
const PORT = Number(process.env.PGPORT ?? 5432);
const USER = process.env.PGUSER ?? 'postgres';
const BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
const DB = `sluice_bench_${process.pid}`;
const fmt = (n) => n.toLocaleString('en-US', { maximumFractionDigits: 1 });
const PAD = Math.max(1, SIZE - 30);

const admin = new pg.Client({ host: HOST, port: PORT, user: USER, database: 'postgres' });
await admin.connect();
await admin.query(`CREATE DATABASE ${DB}`);
const db = new pg.Client({ host: HOST, port: PORT, user: USER, database: DB });
await db.connect();
const scratch = mkdtempSync(join(tmpdir(), 'sluice-bench-pg-'));
const slots = [`bench_task_${process.pid}`, `bench_recv_${process.pid}`];

function time(fn) {
  const start = performance.now();
  return Promise.resolve(fn()).then((out) => ({ seconds: (performance.now() - start) / 1000, out }));
}

async function cdc() {
  await db.query(`CREATE TABLE public.backlog (id int PRIMARY KEY, v int NOT NULL, payload text NOT NULL)`);
  await db.query(`INSERT INTO public.backlog SELECT g, 0, repeat('p', ${PAD}) FROM generate_series(1, ${ROWS}) g`);
  await db.query(`CREATE PUBLICATION bench_pub FOR TABLE public.backlog`);
  for (const slot of slots) await db.query(`SELECT pg_create_logical_replication_slot($1, 'pgoutput')`, [slot]);
  // The backlog: every row updated once, in transactions of 10,000 rows.
  for (let lo = 1; lo <= ROWS; lo += 10_000) {
    await db.query(`UPDATE public.backlog SET v = v + 1 WHERE id BETWEEN $1 AND $2`, [lo, lo + 9_999]);
  }
  const end = (await db.query('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0].lsn;

  const recv = await time(() =>
    spawnSync(
      join(BIN, 'pg_recvlogical'),
      ['-h', HOST, '-p', String(PORT), '-U', USER, '-d', DB, '--slot', slots[1], '--start', '--no-loop', '-o', 'proto_version=1', '-o', 'publication_names=bench_pub', '--endpos', end, '-f', '/dev/null'],
      { encoding: 'utf8', timeout: 600_000 },
    ),
  );
  if (recv.out.status !== 0) throw new Error(`pg_recvlogical failed: ${recv.out.stderr}`);

  const harness = await SourceTaskHarness.start(() => new PostgresCdcSourceTask(), {
    config: {
      'database.hostname': HOST,
      'database.port': String(PORT),
      'database.user': USER,
      'database.dbname': DB,
      'database.sslmode': 'disable',
      'topic.prefix': 'bench',
      'slot.name': slots[0],
      'publication.name': 'bench_pub',
      'publication.autocreate.mode': 'disabled',
      'snapshot.mode': 'no_data',
      'table.include.list': 'public.backlog',
      'poll.interval.ms': '10',
      'max.batch.size': '2048',
      'max.queue.size': '8192',
    },
  });
  const task = await time(async () => {
    let updates = 0;
    const deadline = Date.now() + 600_000;
    while (updates < ROWS) {
      if (Date.now() > deadline) throw new Error(`the task drained only ${updates} of ${ROWS} updates`);
      const records = await harness.poll();
      for (const r of records) if (r.topic === 'bench.public.backlog' && r.value?.get?.('op') === 'u') updates++;
    }
    return updates;
  });
  await harness.stop();
  console.log(`CDC drain: ${fmt(ROWS)} row updates of ~${SIZE} B behind a pgoutput slot`);
  console.log(`  pg_recvlogical to /dev/null              ${fmt(ROWS / recv.seconds).padStart(10)} events/s`);
  console.log(`  PostgresCdcSourceTask.poll (envelopes)   ${fmt(ROWS / task.seconds).padStart(10)} events/s  ratio ${(recv.seconds / task.seconds).toFixed(3)}`);
}

const keySchema = SchemaBuilder.struct().name('bench.Key').field('id', Schemas.INT32).build();
const valueSchema = SchemaBuilder.struct().name('bench.Value').field('id', Schemas.INT32).field('v', Schemas.INT32).field('payload', Schemas.STRING).build();
const payload = 'q'.repeat(PAD);

function records(topic, v) {
  const batches = [];
  for (let i = 0; i < ROWS; i += BATCH) {
    const batch = [];
    for (let j = i; j < Math.min(ROWS, i + BATCH); j++) {
      const id = j + 1;
      batch.push(
        sinkRecord({
          topic,
          kafkaPartition: 0,
          kafkaOffset: j,
          keySchema,
          key: new Struct(keySchema).put('id', id),
          valueSchema,
          value: new Struct(valueSchema).put('id', id).put('v', v).put('payload', payload),
        }),
      );
    }
    batches.push(batch);
  }
  return batches;
}

async function sinkPut(table, mode, v) {
  const batches = records(table, v); // built before the clock starts: conversion is the runtime's work
  const harness = await SinkTaskHarness.start(new PostgresSinkTask(), {
    config: {
      'connection.url': `jdbc:postgresql://${HOST}:${PORT}/${DB}`,
      'connection.username': USER,
      topics: table,
      'insert.mode': mode,
      'primary.key.mode': 'record_key',
      'schema.evolution': 'basic',
      'table.name.format': `public.${table}`,
      'batch.size': String(BATCH),
    },
    partitions: [{ topic: table, partition: 0 }],
  });
  const run = await time(async () => {
    for (const batch of batches) await harness.put(batch);
    await harness.commit();
  });
  await harness.stop();
  return run.seconds;
}

async function sink() {
  const ddl = (t) => `CREATE TABLE public.${t} (id int PRIMARY KEY, v int NOT NULL, payload text NOT NULL)`;
  // insert: psql \copy of the same rows vs the task into an empty table
  const csv = join(scratch, 'rows.csv');
  writeFileSync(csv, '');
  for (let lo = 1; lo <= ROWS; lo += 10_000) {
    const lines = [];
    for (let id = lo; id < Math.min(ROWS + 1, lo + 10_000); id++) lines.push(`${id},1,${payload}\n`);
    appendFileSync(csv, lines.join(''));
  }
  await db.query(ddl('copied'));
  const copy = await time(() =>
    spawnSync(join(BIN, 'psql'), ['-h', HOST, '-p', String(PORT), '-U', USER, '-d', DB, '-v', 'ON_ERROR_STOP=1', '-c', `\\copy public.copied FROM '${csv}' CSV`], { encoding: 'utf8' }),
  );
  if (copy.out.status !== 0) throw new Error(`psql \\copy failed: ${copy.out.stderr}`);
  await db.query(ddl('inserted'));
  const insert = await sinkPut('inserted', 'insert', 1);

  // upsert over existing rows: a server-side INSERT … ON CONFLICT vs the task
  await db.query(ddl('upserted_sql'));
  await db.query(`INSERT INTO public.upserted_sql SELECT g, 1, repeat('q', ${PAD}) FROM generate_series(1, ${ROWS}) g`);
  const serverUpsert = await time(() =>
    db.query(`INSERT INTO public.upserted_sql SELECT g, 2, repeat('q', ${PAD}) FROM generate_series(1, ${ROWS}) g ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v, payload = EXCLUDED.payload`),
  );
  await db.query(ddl('upserted'));
  await db.query(`INSERT INTO public.upserted SELECT g, 1, repeat('q', ${PAD}) FROM generate_series(1, ${ROWS}) g`);
  const upsert = await sinkPut('upserted', 'upsert', 2);
  const check = await db.query(`SELECT (SELECT count(*) FROM public.inserted)::int AS ins, (SELECT count(*) FROM public.upserted WHERE v = 2)::int AS ups`);
  if (check.rows[0].ins !== ROWS || check.rows[0].ups !== ROWS) throw new Error(`sink wrote ${JSON.stringify(check.rows[0])}, expected ${ROWS} each`);

  console.log(`sink: ${fmt(ROWS)} rows of ~${SIZE} B, batches of ${BATCH}`);
  console.log(`  psql \\copy (COPY FROM STDIN)             ${fmt(ROWS / copy.seconds).padStart(10)} rows/s`);
  console.log(`  PostgresSinkTask.put, insert.mode=insert ${fmt(ROWS / insert).padStart(10)} rows/s  ratio ${(copy.seconds / insert).toFixed(3)}`);
  console.log(`  server-side INSERT … ON CONFLICT         ${fmt(ROWS / serverUpsert.seconds).padStart(10)} rows/s`);
  console.log(`  PostgresSinkTask.put, insert.mode=upsert ${fmt(ROWS / upsert).padStart(10)} rows/s  ratio ${(serverUpsert.seconds / upsert).toFixed(3)}`);
}

try {
  await cdc();
  await sink();
} finally {
  for (const slot of slots) await db.query(`SELECT pg_drop_replication_slot($1)`, [slot]).catch(() => undefined);
  await db.end();
  await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await admin.end();
  rmSync(scratch, { recursive: true, force: true });
}
