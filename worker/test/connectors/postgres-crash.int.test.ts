import { describe, expect, it } from 'vitest';
import { postgresTestGate } from '../../../connectors/postgres/test/support/postgres.js';
import { runPostgresCrashScenario } from './postgres-crash-scenario.js';

const gate = postgresTestGate();
const SEED = Number(process.env['SLUICE_TEST_SEED'] ?? Date.now() % 100_000);

/** CI-sized: a few kills (snapshot and streaming); the long variant is postgres-crash.soak.test.ts. */
describe.skipIf(gate.skip)('PostgreSQL CDC through a worker killed at random points', () => {
  it(`loses nothing and completes every transaction across 5 kills (seed ${SEED})`, async () => {
    process.stderr.write(`pg-crash: seed ${SEED} (repeat with SLUICE_TEST_SEED=${SEED})\n`);
    const result = await runPostgresCrashScenario({ kills: 5, seed: SEED });
    expect(result.kills).toBe(5);
    expect(result.snapshotKills).toBeGreaterThanOrEqual(2);
    expect(result.midTransactionKills).toBe(1);
  }, 300_000);
});
