#!/usr/bin/env node
// The whole suite: unit, integration (PGlite always; PostgreSQL and Redis when TEST_DATABASE_URL /
// TEST_REDIS_URL are set) and browser tests. Ends with one plain summary line: "N passed, N failed".
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'mymidas-test-'));
const out = join(dir, 'results.json');
const res = spawnSync(
  process.execPath,
  ['node_modules/vitest/vitest.mjs', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...process.argv.slice(2)],
  { stdio: 'inherit', env: process.env },
);
let summary;
try {
  summary = JSON.parse(readFileSync(out, 'utf8'));
} catch {
  console.error('test: vitest wrote no results');
  process.exit(res.status || 1);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const skipped = summary.numPendingTests + summary.numTodoTests;
console.log(`\ntests: ${summary.numPassedTests} passed, ${summary.numFailedTests} failed, ${skipped} skipped`);
if (process.env.CI === 'true' && skipped > 0) {
  console.error('test: under CI=true nothing may be skipped');
  process.exit(1);
}
process.exit(res.status ?? 1);
