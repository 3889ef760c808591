import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceTaskHarness } from '@sluice/testkit';
import pg from 'pg';
import { PostgresCdcSourceTask } from '../src/index.js';
import { createTestDatabase, postgresTestGate, type TestDatabase } from './support/postgres.js';
import { postgresBinDir, startPrivatePostgres, type PrivatePostgres } from './support/private-postgres.js';

const gate = postgresTestGate();
const bin = postgresBinDir();

async function startError(config: Record<string, string>): Promise<Error> {
  const err = await SourceTaskHarness.start(() => new PostgresCdcSourceTask({ slotWaitTimeoutMs: 5_000 }), { config }).then(
    async (h) => {
      // some problems only show on the first poll
      try {
        await h.poll();
        await h.poll();
        return null;
      } catch (e) {
        return e;
      } finally {
        await h.stop();
      }
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Error);
  return err as Error;
}

describe.skipIf(gate.skip)('PostgresCdcSource with missing privileges', () => {
  let db: TestDatabase;
  const role = `sluice_noperm_${process.pid}`;
  beforeAll(async () => {
    db = await createTestDatabase('priv');
    await db.client.query(`CREATE ROLE ${role} LOGIN`);
    await db.client.query('CREATE TABLE public.secret (id int PRIMARY KEY)');
  });
  afterAll(async () => {
    await db?.drop();
    await db?.client.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
    const admin = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' });
    await admin.connect();
    await admin.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
    await admin.end();
  });

  it('fails with a message naming the privilege a user without REPLICATION needs', async () => {
    const slot = db.slotName('priv');
    const err = await startError({
      ...db.sourceConnection,
      'database.user': role,
      'topic.prefix': 'p',
      'slot.name': slot,
      'publication.name': `pub_${slot}`,
      'publication.autocreate.mode': 'disabled',
      'table.include.list': 'public\\.secret',
      'snapshot.mode': 'no_data',
    });
    expect(err.message).toMatch(/REPLICATION/);
    expect(err.message).toContain(role);
  });

  it('names the table and the missing SELECT privilege when a replication user cannot read it', async () => {
    const user = `${role}_repl`;
    await db.client.query(`CREATE ROLE ${user} LOGIN REPLICATION`);
    try {
      const slot = db.slotName('privsel');
      await db.client.query(`CREATE PUBLICATION pub_${slot} FOR TABLE public.secret`);
      const err = await startError({
        ...db.sourceConnection,
        'database.user': user,
        'topic.prefix': 'p',
        'slot.name': slot,
        'publication.name': `pub_${slot}`,
        'publication.autocreate.mode': 'disabled',
        'table.include.list': 'public\\.secret',
        'snapshot.mode': 'initial',
      });
      expect(err.message).toContain('public.secret');
      expect(err.message).toMatch(/permission denied/);
      await db.client.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active', [slot]);
    } finally {
      await db.client.query(`DROP OWNED BY ${user}`).catch(() => undefined);
      await db.client.query(`DROP ROLE IF EXISTS ${user}`).catch(() => undefined);
    }
  });
});

describe.skipIf(bin === null)('PostgresCdcSource when the slot lost its WAL (wal_status=lost)', () => {
  let server: PrivatePostgres;
  beforeAll(async () => {
    server = await startPrivatePostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('refuses to continue and explains the recovery, instead of silently skipping changes', async () => {
    const client = new pg.Client(server.config());
    await client.connect();
    try {
      await client.query('CREATE TABLE public.busy (id serial PRIMARY KEY, pad text)');
      const config = {
        ...server.sourceConnection('postgres'),
        'topic.prefix': 'w',
        'slot.name': 'lost_slot',
        'publication.name': 'lost_pub',
        'table.include.list': 'public\\.busy',
        'snapshot.mode': 'no_data',
        'poll.interval.ms': '50',
      };
      const harness = await SourceTaskHarness.start(() => new PostgresCdcSourceTask({ slotWaitTimeoutMs: 5_000 }), { config });
      await client.query("INSERT INTO public.busy (pad) VALUES ('x')");
      await harness.pollRecords(1);
      await harness.commitOffsets();
      await harness.stop();
      // The slot may keep at most 1 MB of WAL; write far more, then let checkpoints remove it.
      await client.query("ALTER SYSTEM SET max_slot_wal_keep_size = '1MB'");
      await client.query('SELECT pg_reload_conf()');
      for (let i = 0; i < 6; i++) {
        await client.query("INSERT INTO public.busy (pad) SELECT repeat('y', 1000) FROM generate_series(1, 5000)");
        await client.query('SELECT pg_switch_wal()');
        await client.query('CHECKPOINT');
      }
      const status = (await client.query("SELECT wal_status FROM pg_replication_slots WHERE slot_name = 'lost_slot'")).rows[0]?.wal_status;
      expect(status).toBe('lost');
      const err = await startError(config);
      expect(err.message).toContain('wal_status=lost');
      expect(err.message).toContain('snapshot.mode=when_needed');
    } finally {
      await client.end();
    }
  });
});
