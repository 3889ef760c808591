import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStruct, RetriableError, type SourceRecord, type Struct } from '@sluice/core';
import { SourceTaskHarness } from '@sluice/testkit';
import pg from 'pg';
import { PostgresCdcSourceTask } from '../src/index.js';
import { postgresBinDir, startPrivatePostgres, type PrivatePostgres } from './support/private-postgres.js';

const bin = postgresBinDir();
if (bin === null && process.env['CI'] === 'true') throw new Error('PostgreSQL server binaries are required under CI (apt-get install postgresql)');
if (bin === null) process.stderr.write('SKIPPING postgres-restart tests: no PostgreSQL server binaries under /usr/lib/postgresql\n');

const after = (r: SourceRecord) => (isStruct(r.value) ? (r.value.get('after') as Struct | null) : null);
const ids = (records: SourceRecord[]) => records.map((r) => after(r)?.get('id')).filter((id): id is number => typeof id === 'number');

/**
 * A PostgreSQL restart under a streaming source, on a private instance (the machine's shared server
 * is never restarted): the task reconnects to its slot by itself and continues after the last change
 * it delivered; nothing is lost and nothing delivered before the restart comes again.
 */
describe.skipIf(bin === null)('PostgresCdcSource across a PostgreSQL restart', () => {
  let server: PrivatePostgres;
  let client: pg.Client;
  beforeAll(async () => {
    server = await startPrivatePostgres();
    const admin = new pg.Client(server.config());
    await admin.connect();
    await admin.query('CREATE DATABASE shop');
    await admin.end();
    client = new pg.Client(server.config('shop'));
    await client.connect();
  });
  afterAll(async () => {
    await client?.end().catch(() => undefined);
    await server?.stop();
  });

  it('resumes streaming after pg_ctl restart -m fast, with no loss and no repeats', async () => {
    await client.query('DROP TABLE IF EXISTS public.orders');
    await client.query("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = 'restart_slot'");
    await client.query('CREATE TABLE public.orders (id int PRIMARY KEY, note text)');
    const harness = await SourceTaskHarness.start(() => new PostgresCdcSourceTask({ slotWaitTimeoutMs: 10_000 }), {
      config: {
        ...server.sourceConnection('shop'),
        'topic.prefix': 'srv',
        'slot.name': 'restart_slot',
        'publication.name': 'restart_pub',
        'table.include.list': 'public.orders',
        'snapshot.mode': 'no_data',
        'poll.interval.ms': '50',
      },
      idleBackoffMs: 20,
    });
    try {
      await client.query("INSERT INTO public.orders SELECT g, 'before' FROM generate_series(1, 100) g");
      const first = ids(await harness.pollRecords(100));
      expect(first).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      await harness.commitOffsets();

      await client.end();
      await server.restart();
      client = new pg.Client(server.config('shop'));
      await client.connect();
      // Writes right after the restart, in several transactions, while the task is reconnecting.
      for (let lo = 101; lo <= 200; lo += 20) {
        await client.query(`INSERT INTO public.orders SELECT g, 'after' FROM generate_series(${lo}, ${lo + 19}) g`);
      }
      const later: number[] = [];
      const deadline = Date.now() + 60_000;
      let retriable = 0;
      while (!later.includes(200) && Date.now() < deadline) {
        try {
          later.push(...ids(await harness.poll()));
        } catch (err) {
          // what the runtime does with a RetriableError: poll again (the task reconnects)
          if (!RetriableError.is(err)) throw err;
          retriable++;
        }
      }
      process.stderr.write(`postgres-restart: ${retriable} retriable poll failures while the server restarted, caught up ${Date.now() - (deadline - 60_000)} ms after it\n`);
      expect(later).toEqual(Array.from({ length: 100 }, (_, i) => i + 101));
      // The reconnection was logged as such, not as a failure.
      expect(harness.capturedLogs.at('error')).toEqual([]);
    } finally {
      await harness.stop();
    }
  });
});
