#!/usr/bin/env node
// Reads the output of `npm test` (turbo running jest in every workspace) on stdin or from a file and
// prints one jest-style summary for the whole repository, so a CI log ends with the test totals.
const fs = require('node:fs');

const text = fs.readFileSync(process.argv[2] ?? 0, 'utf8').replace(/\x1b\[[0-9;]*m/g, '');
const totals = {
  suites: { passed: 0, failed: 0, skipped: 0, total: 0 },
  tests: { passed: 0, failed: 0, skipped: 0, total: 0 },
};
const packages = new Set();
for (const line of text.split('\n')) {
  const match = /^(\S+?):test:\s+(Test Suites|Tests):\s+(.*)$/.exec(line);
  if (!match) continue;
  packages.add(match[1]);
  const bucket = match[2] === 'Tests' ? totals.tests : totals.suites;
  for (const [, count, kind] of match[3].matchAll(/(\d+) (passed|failed|skipped|total)/g))
    bucket[kind] += Number(count);
}
const format = (bucket) =>
  [
    bucket.failed && `${bucket.failed} failed`,
    bucket.skipped && `${bucket.skipped} skipped`,
    `${bucket.passed} passed`,
    `${bucket.total} total`,
  ]
    .filter(Boolean)
    .join(', ');
console.log(`\nAll workspaces (${packages.size} with tests):`);
console.log(`Test Suites: ${format(totals.suites)}`);
console.log(`Tests:       ${format(totals.tests)}`);
