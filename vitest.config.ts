import { defineConfig } from 'vitest/config';

// Three projects: `unit` (beside the code, no services), `integration` (real services, started by the
// project's own scripts) and `soak` (long fault runs, only via `npm run test:soak`).
export default defineConfig({
  test: {
    pool: 'forks',
    reporters: ['default', 'json'],
    outputFile: { json: '.cache/test-results.json' },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{core,api,testkit,transforms,worker,connectors/*}/src/**/*.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['{core,api,testkit,worker,connectors/*}/test/**/*.int.test.ts', 'test/**/*.int.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 300_000,
          fileParallelism: false,
          // One retry against timing noise on shared machines. A test that needed it is still
          // reported by name (scripts/test-summary.mjs prints it as FLAKY) so it gets fixed.
          retry: 1,
        },
      },
      {
        test: {
          name: 'soak',
          include: ['**/test/**/*.soak.test.ts'],
          exclude: ['**/node_modules/**'],
          testTimeout: 3_600_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
