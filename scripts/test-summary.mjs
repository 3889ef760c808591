// Prints vitest's JSON results as one plain closing line: "N passed, N failed, N skipped".
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? '.cache/test-results.json';
let results;
try {
  results = JSON.parse(readFileSync(file, 'utf8'));
} catch (err) {
  console.error(`no test results at ${file}: ${err.message}`);
  process.exit(1);
}
const passed = results.numPassedTests ?? 0;
let failed = results.numFailedTests ?? 0;
let flaky = 0;
const skipped = (results.numPendingTests ?? 0) + (results.numTodoTests ?? 0);
for (const suite of results.testResults ?? []) {
  for (const t of suite.assertionResults ?? []) {
    if (t.status === 'failed') console.log(`FAILED: ${suite.name.replace(process.cwd() + '/', '')} > ${t.fullName}`);
    // A passing test with failure messages passed only on its retry: flaky, and named so it gets fixed.
    if (t.status === 'passed' && (t.failureMessages ?? []).length > 0) {
      flaky++;
      console.log(`FLAKY (passed on retry): ${suite.name.replace(process.cwd() + '/', '')} > ${t.fullName}: ${String(t.failureMessages[0]).split('\n')[0]}`);
    }
  }
  if (suite.status === 'failed' && (suite.assertionResults ?? []).every((t) => t.status !== 'failed')) {
    failed++;
    console.log(`FAILED SUITE: ${suite.name.replace(process.cwd() + '/', '')}: ${(suite.message ?? '').split('\n')[0]}`);
  }
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped${flaky > 0 ? ` (${flaky} passed only on retry)` : ''}`);
