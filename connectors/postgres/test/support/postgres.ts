/**
 * PostgreSQL for integration tests: the local cluster (127.0.0.1:5432, trust auth), switched to
 * wal_level=logical by the project's own scripts/postgres/ensure-logical.sh. Each test file works in
 * its own database with a random name, dropped (with its slots) at the end.
 *
 *   const gate = postgresTestGate();       // before describe: skip (loudly) or fail under CI
 *   describe.skipIf(gate.skip)('…', () => {
 *     let db: TestDatabase;
 *     beforeAll(async () => { db = await createTestDatabase('source'); });
 *     afterAll(() => db?.drop());
 *   });
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const here = dirname(fileURLToPath(import.meta.url));
const ENSURE_SCRIPT = resolve(here, '../../../../scripts/postgres/ensure-logical.sh');

export const PG_HOST = process.env['PGHOST'] ?? '127.0.0.1';
export const PG_PORT = Number(process.env['PGPORT'] ?? 5432);
export const PG_USER = process.env['PGUSER'] ?? 'postgres';
export const PG_PASSWORD = process.env['PGPASSWORD'] ?? '';

let gateResult: { skip: boolean; reason?: string } | null = null;

/**
 * Runs ensure-logical.sh once per process. Outside CI a failure skips the PostgreSQL tests with a
 * loud banner saying how to enable them; with CI=true it throws, since nothing may be skipped there.
 */
export function postgresTestGate(): { skip: boolean; reason?: string } {
  if (gateResult !== null) return gateResult;
  const run = spawnSync('bash', [ENSURE_SCRIPT], {
    env: { ...process.env, PGHOST: PG_HOST, PGPORT: String(PG_PORT), PGUSER: PG_USER },
    encoding: 'utf8',
    timeout: 180_000,
  });
  if (run.status === 0) {
    gateResult = { skip: false };
    return gateResult;
  }
  const reason = `scripts/postgres/ensure-logical.sh failed (${run.error?.message ?? `exit ${String(run.status)}`}): ${(run.stderr ?? '').trim()}`;
  if (process.env['CI'] === 'true') throw new Error(`${reason} (CI=true: PostgreSQL tests may not be skipped)`);
  const bar = '!'.repeat(100);
  process.stderr.write(
    `\n${bar}\n!! SKIPPING PostgreSQL integration tests: ${reason}\n!! Install PostgreSQL 10+ (apt-get install postgresql), make it accept trust connections from ${PG_USER}@${PG_HOST}:${PG_PORT} (or set PGHOST/PGPORT/PGUSER/PGPASSWORD), then rerun; the script switches it to wal_level=logical.\n${bar}\n\n`,
  );
  gateResult = { skip: true, reason };
  return gateResult;
}

export function adminConfig(database = 'postgres'): pg.ClientConfig {
  return { host: PG_HOST, port: PG_PORT, user: PG_USER, password: PG_PASSWORD, database };
}

/** A database of its own for one test file. */
export interface TestDatabase {
  readonly name: string;
  /** a client connected to the database, for setup and assertions */
  readonly client: pg.Client;
  /** the Debezium-style connection keys of the source connector */
  readonly sourceConnection: Readonly<Record<string, string>>;
  /** `jdbc:postgresql://host:port/<name>` */
  readonly jdbcUrl: string;
  /** a fresh, unique slot name (slots are cluster-wide, so names must not collide across files) */
  slotName(label: string): string;
  /** `confirmed_flush_lsn` of a slot as an LSN string, or null when the slot does not exist */
  confirmedFlush(slot: string): Promise<string | null>;
  /** drops the database's slots (waiting for them to become inactive) and the database; idempotent */
  drop(): Promise<void>;
}

/** Creates `sluice_<label>_<random>` and connects to it. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const suffix = randomBytes(4).toString('hex');
  const name = `sluice_${label}_${suffix}`.toLowerCase();
  const admin = new pg.Client(adminConfig());
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const client = new pg.Client(adminConfig(name));
  await client.connect();
  let slotCounter = 0;
  let dropping: Promise<void> | null = null;
  return {
    name,
    client,
    sourceConnection: {
      'database.hostname': PG_HOST,
      'database.port': String(PG_PORT),
      'database.user': PG_USER,
      'database.password': PG_PASSWORD,
      'database.dbname': name,
      'database.sslmode': 'disable',
    },
    jdbcUrl: `jdbc:postgresql://${PG_HOST}:${PG_PORT}/${name}`,
    slotName: (slotLabel) => `sluice_${slotLabel}_${suffix}_${++slotCounter}`.toLowerCase().slice(0, 63),
    async confirmedFlush(slot) {
      const { rows } = await admin.query<{ lsn: string | null }>(
        'SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = $1',
        [slot],
      );
      return rows[0]?.lsn ?? null;
    },
    drop() {
      dropping ??= (async () => {
        await client.end().catch(() => {});
        for (let attempt = 0; attempt < 50; attempt++) {
          const { rows } = await admin.query<{ slot_name: string; active: boolean }>(
            'SELECT slot_name, active FROM pg_replication_slots WHERE database = $1',
            [name],
          );
          if (rows.length === 0) break;
          for (const r of rows)
            if (!r.active) await admin.query('SELECT pg_drop_replication_slot($1)', [r.slot_name]).catch(() => {});
          await new Promise((r) => setTimeout(r, 100));
        }
        await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch((err: Error) => {
          process.stderr.write(`could not drop test database ${name}: ${err.message}\n`);
        });
        await admin.end().catch(() => {});
      })();
      return dropping;
    },
  };
}

/** Compares LSN strings (`X/Y`). */
export function lsnValue(text: string): bigint {
  const [hi = '0', lo = '0'] = text.split('/');
  return (BigInt(`0x${hi}`) << 32n) | BigInt(`0x${lo}`);
}
