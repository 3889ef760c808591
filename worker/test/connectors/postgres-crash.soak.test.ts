import { describe, expect, it } from 'vitest';
import { postgresTestGate } from '../../../connectors/postgres/test/support/postgres.js';
import { runPostgresCrashScenario } from './postgres-crash-scenario.js';

const gate = postgresTestGate();
const SEED = Number(process.env['SLUICE_TEST_SEED'] ?? Date.now() % 100_000);
const KILLS = Number(process.env['SLUICE_SOAK_KILLS'] ?? 25);

/** The long variant of postgres-crash.int.test.ts: `npm run test:soak`. */
describe.skipIf(gate.skip)('PostgreSQL CDC through a worker killed at random points (soak)', () => {
  it(`loses nothing and completes every transaction across ${KILLS} kills (seed ${SEED})`, async () => {
    process.stderr.write(`pg-crash soak: seed ${SEED} (repeat with SLUICE_TEST_SEED=${SEED})\n`);
    const result = await runPostgresCrashScenario({ kills: KILLS, seed: SEED });
    expect(result.kills).toBe(KILLS);
    expect(result.snapshotKills).toBeGreaterThanOrEqual(2);
    expect(result.midTransactionKills).toBe(1);
  }, 3_000_000);
});
