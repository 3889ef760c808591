import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, postgresTestGate, type TestDatabase } from '../../../connectors/postgres/test/support/postgres.js';
import { http, startWorkerProcess, tempDir, waitFor, type WorkerProcess } from '../support/worker-process.js';

const gate = postgresTestGate();

/**
 * PostgreSQL → embedded log → PostgreSQL through a standalone worker, with Debezium's and the JDBC
 * sink's class names, including a kill -9 of the worker in the middle: after the restart the target
 * table equals the source table.
 */
describe.skipIf(gate.skip)('PostgreSQL CDC pipeline through the worker', () => {
  let source: TestDatabase;
  let target: TestDatabase;
  let worker: WorkerProcess | undefined;
  let dataDir: string;
  beforeAll(async () => {
    source = await createTestDatabase('pipe_src');
    target = await createTestDatabase('pipe_dst');
    dataDir = path.join(tempDir('pg-pipeline'), 'data');
  });
  afterAll(async () => {
    await worker?.kill('SIGKILL');
    await source?.drop();
    await target?.drop();
  });

  const rows = async (db: TestDatabase) =>
    (await db.client.query('SELECT id, name, qty FROM public.items ORDER BY id')).rows.map((r) => ({ ...r, qty: Number(r.qty) }));

  it('replicates a table, survives kill -9 of the worker and converges to the same rows', async () => {
    await source.client.query('CREATE TABLE public.items (id int PRIMARY KEY, name text NOT NULL, qty numeric(10,2))');
    await source.client.query("INSERT INTO public.items SELECT g, 'item ' || g, g * 1.5 FROM generate_series(1, 50) g");
    const env = { SLUICE_OFFSET_FLUSH_INTERVAL_MS: '300' };
    worker = await startWorkerProcess({ dataDir, env });
    const slot = source.slotName('pipe');
    const created = await http(worker.url + '/connectors', 'POST', {
      name: 'pg-source',
      config: {
        'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
        ...source.sourceConnection,
        'topic.prefix': 'shop',
        'slot.name': slot,
        'publication.name': `${slot}_pub`,
        'table.include.list': 'public.items',
      },
    });
    expect(created.status, created.text).toBe(201);
    const sink = await http(worker.url + '/connectors', 'POST', {
      name: 'pg-sink',
      config: {
        'connector.class': 'io.debezium.connector.jdbc.JdbcSinkConnector',
        'connection.url': target.jdbcUrl,
        'connection.username': 'postgres',
        topics: 'shop.public.items',
        'insert.mode': 'upsert',
        'primary.key.mode': 'record_key',
        'delete.enabled': 'true',
        'schema.evolution': 'basic',
        'table.name.format': 'public.items',
      },
    });
    expect(sink.status, sink.text).toBe(201);
    await waitFor(async () => (await target.client.query('SELECT count(*)::int AS n FROM public.items').catch(() => ({ rows: [{ n: 0 }] }))).rows[0].n === 50, 60_000, 'snapshot rows in the target');

    // Streaming changes, a crash in the middle, more changes.
    await source.client.query("UPDATE public.items SET qty = qty + 100 WHERE id <= 10");
    await source.client.query('DELETE FROM public.items WHERE id BETWEEN 41 AND 45');
    await source.client.query("INSERT INTO public.items SELECT g, 'late ' || g, g FROM generate_series(51, 80) g");
    await new Promise((r) => setTimeout(r, 200));
    expect(await worker.kill('SIGKILL')).toBe('SIGKILL');
    await source.client.query("UPDATE public.items SET name = 'renamed' WHERE id % 7 = 0");
    await source.client.query('DELETE FROM public.items WHERE id = 80');
    worker = await startWorkerProcess({ dataDir, env });

    const expected = await rows(source);
    await waitFor(async () => JSON.stringify(await rows(target).catch(() => [])) === JSON.stringify(expected), 90_000, 'target equals source');
    expect(await rows(target)).toEqual(expected);
    const st = (await http(worker.url + '/connectors?expand=status', 'GET')).body;
    expect(st['pg-source'].status.tasks[0].state).toBe('RUNNING');
    expect(st['pg-sink'].status.tasks[0].state).toBe('RUNNING');
    // The slot only ever confirms what was committed: it exists and has a confirmed position.
    expect(await source.confirmedFlush(slot)).not.toBeNull();
  });
});
