/**
 * PostgreSQL → worker → PostgreSQL under repeated SIGKILLs of the worker, during the initial snapshot
 * and while a writer keeps committing. Shared by the CI-sized integration test and the long soak
 * variant (`npm run test:soak`).
 *
 * What is proven at the end:
 * - no change lost: the target equals the source (md5 checksum over every row of both tables);
 * - transactions complete: every 20-row ledger transaction is in the target with all its 20 rows,
 *   including one whose rows were only partly written to the target when the worker was killed;
 * - the slot never got ahead of the worker: its confirmed_flush_lsn, read while the worker is dead,
 *   never exceeds the end of the WAL the source had written at that moment (trivial) and the
 *   target catches up after every restart — a slot that confirmed unwritten changes would leave
 *   them out of the target for good, and the checksum would differ.
 */
import path from 'node:path';
import { expect } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../connectors/postgres/test/support/postgres.js';
import { http, startWorkerProcess, tempDir, waitFor, type WorkerProcess } from '../support/worker-process.js';

export interface CrashScenarioResult {
  kills: number;
  snapshotKills: number;
  midTransactionKills: number;
  ledgerTransactions: number;
  accountUpdates: number;
}

/** mulberry32: a small seeded PRNG, so a failing run can be repeated with SLUICE_TEST_SEED. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ACCOUNTS = 20_000;
const LEDGER_TX_ROWS = 20;

export async function runPostgresCrashScenario(options: { kills: number; seed: number; log?: (line: string) => void }): Promise<CrashScenarioResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(`pg-crash: ${line}\n`));
  const random = prng(options.seed);
  const source = await createTestDatabase('crash_src');
  const target = await createTestDatabase('crash_dst');
  const dataDir = path.join(tempDir('pg-crash'), 'data');
  const env = { SLUICE_OFFSET_FLUSH_INTERVAL_MS: '500' };
  let worker: WorkerProcess | undefined;
  let writing = true;
  let writer: Promise<void> | undefined;
  const result: CrashScenarioResult = { kills: 0, snapshotKills: 0, midTransactionKills: 0, ledgerTransactions: 0, accountUpdates: 0 };
  try {
    await source.client.query('CREATE TABLE public.accounts (id int PRIMARY KEY, version int NOT NULL, payload text NOT NULL)');
    await source.client.query(
      `INSERT INTO public.accounts SELECT g, 0, md5(g::text) || repeat('x', 60) FROM generate_series(1, ${ACCOUNTS}) g`,
    );
    await source.client.query('CREATE TABLE public.ledger (id bigint PRIMARY KEY, tx int NOT NULL, n int NOT NULL)');
    const slot = source.slotName('crash');
    const connectors = {
      'pg-source': {
        'connector.class': 'PostgresCdcSource',
        ...source.sourceConnection,
        'topic.prefix': 'crash',
        'slot.name': slot,
        'publication.name': `${slot}_pub`,
        'table.include.list': 'public.accounts,public.ledger',
        // small snapshot chunks, so kills land in the middle of the snapshot
        'snapshot.fetch.size': '500',
      },
      'pg-sink': {
        'connector.class': 'PostgresSink',
        'connection.url': target.jdbcUrl,
        'connection.username': 'postgres',
        topics: 'crash.public.accounts,crash.public.ledger',
        'insert.mode': 'upsert',
        'primary.key.mode': 'record_key',
        'delete.enabled': 'true',
        'schema.evolution': 'basic',
        'table.name.format': 'public.${topic}',
        transforms: 'route',
        'transforms.route.type': 'RegexRouter',
        'transforms.route.regex': 'crash\\.public\\.(.*)',
        'transforms.route.replacement': '$1',
        // small batches: a 20-row transaction reaches the target in several pieces
        'batch.size': '7',
      },
    };
    worker = await startWorkerProcess({ dataDir, env });
    for (const [name, config] of Object.entries(connectors)) {
      const r = await http(worker.url + '/connectors', 'POST', { name, config });
      expect(r.status, r.text).toBe(201);
    }
    const count = async (table: string): Promise<number> =>
      Number((await target.client.query(`SELECT count(*)::int AS n FROM public.${table}`).catch(() => ({ rows: [{ n: 0 }] }))).rows[0].n);

    const restart = async (why: string) => {
      const before = await source.confirmedFlush(slot);
      await worker!.kill('SIGKILL');
      result.kills++;
      const confirmed = await source.confirmedFlush(slot);
      log(`kill ${result.kills} (${why}); slot confirmed_flush_lsn ${confirmed ?? 'none'} (was ${before ?? 'none'})`);
      worker = await startWorkerProcess({ dataDir, env });
    };

    // 1. Kills during the snapshot: wait until part of the accounts reached the target.
    const snapshotKills = Math.max(2, Math.round(options.kills / 5));
    for (let i = 0; i < snapshotKills; i++) {
      const seen = await count('accounts');
      const progressed = await waitFor(async () => {
        const n = await count('accounts');
        return n > seen && n < ACCOUNTS ? n : null;
      }, 60_000, 'snapshot progress').catch(() => null);
      if (progressed === null) break;
      await restart(`snapshot, ${progressed}/${ACCOUNTS} accounts in the target`);
      result.snapshotKills++;
    }

    // 2. A writer: each step one transaction of 20 ledger rows plus a few account updates.
    let tx = 0;
    writer = (async () => {
      while (writing) {
        tx++;
        const ids = Array.from({ length: 3 }, () => 1 + Math.floor(random() * ACCOUNTS));
        await source.client.query('BEGIN');
        await source.client.query(
          `INSERT INTO public.ledger SELECT $1::bigint * ${LEDGER_TX_ROWS} + g, $1, g FROM generate_series(0, ${LEDGER_TX_ROWS - 1}) g`,
          [tx],
        );
        await source.client.query('UPDATE public.accounts SET version = version + 1 WHERE id = ANY($1::int[])', [ids]);
        if (tx % 10 === 0) await source.client.query('DELETE FROM public.accounts WHERE id = $1', [ids[0]]);
        await source.client.query('COMMIT');
        result.ledgerTransactions++;
        result.accountUpdates += ids.length;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();

    // 3. Kills while streaming; one of them while a ledger transaction is only partly in the target.
    while (result.kills < options.kills) {
      await waitFor(async () => (await count('ledger')) > 0, 60_000, 'streaming to reach the target');
      const midTransaction = result.midTransactionKills === 0;
      if (midTransaction) {
        const partial = await waitFor(async () => {
          const n = await count('ledger');
          return n % LEDGER_TX_ROWS !== 0 ? n : null;
        }, 30_000, 'a ledger transaction partly in the target');
        await restart(`streaming, ${partial} ledger rows in the target: a 20-row transaction cut`);
        result.midTransactionKills++;
      } else {
        await new Promise((r) => setTimeout(r, 200 + Math.floor(random() * 1500)));
        await restart('streaming');
      }
    }
    writing = false;
    await writer;
    writer = undefined;

    // 4. Converge and compare.
    const checksum = async (db: TestDatabase, table: string, columns: string) =>
      (await db.client.query(`SELECT count(*)::int AS n, md5(coalesce(string_agg(${columns}, ',' ORDER BY id), '')) AS sum FROM public.${table}`)).rows[0] as {
        n: number;
        sum: string;
      };
    for (const [table, columns] of [
      ['accounts', "id || ':' || version || ':' || payload"],
      ['ledger', "id || ':' || tx || ':' || n"],
    ] as const) {
      const expected = await checksum(source, table, columns);
      await waitFor(
        async () => {
          const got = await checksum(target, table, columns).catch(() => null);
          return got !== null && got.sum === expected.sum ? got : null;
        },
        120_000,
        `${table} in the target equal to the source (${expected.n} rows)`,
      );
    }
    const incomplete = await target.client.query(
      `SELECT tx, count(*)::int AS n FROM public.ledger GROUP BY tx HAVING count(*) <> ${LEDGER_TX_ROWS}`,
    );
    expect(incomplete.rows).toEqual([]);
    const status = (await http(worker.url + '/connectors?expand=status', 'GET')).body;
    expect(status['pg-source'].status.tasks[0].state).toBe('RUNNING');
    expect(status['pg-sink'].status.tasks[0].state).toBe('RUNNING');
    log(`${result.kills} kills (${result.snapshotKills} in the snapshot), ${result.ledgerTransactions} ledger transactions, target equals source`);
    return result;
  } finally {
    writing = false;
    await writer?.catch(() => undefined);
    await worker?.kill('SIGKILL');
    await source.drop();
    await target.drop();
  }
}
