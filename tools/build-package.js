#!/usr/bin/env node
/**
 * Builds the package in the current directory with `tsc -p tsconfig.build.json` into a fresh
 * temporary folder, then swaps it in for `dist/` (two renames): a build that fails keeps the
 * previous `dist/`, and a process importing the package while it builds never finds `dist/`
 * missing or half-written (what `rm -rf dist && tsc` did, many times a day, to every test run
 * in the workspace while a sibling package rebuilt). Extra arguments are `tsc` arguments.
 *
 *   node ../../tools/build-package.js [--copy <dir>]   (copies <dir> into dist/<dir> too)
 */
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const args = process.argv.slice(2);
const copies = [];
for (let index = args.indexOf('--copy'); index !== -1; index = args.indexOf('--copy')) {
  copies.push(args[index + 1]);
  args.splice(index, 2);
}

const cwd = process.cwd();
const temporary = path.join(cwd, `.dist-build-${process.pid}`);
const previous = path.join(cwd, `.dist-old-${process.pid}`);
const dist = path.join(cwd, 'dist');
const tsc = require.resolve('typescript/bin/tsc');

const result = spawnSync(
  process.execPath,
  [tsc, '-p', 'tsconfig.build.json', '--outDir', temporary, ...args],
  {
    stdio: 'inherit',
  },
);
if (result.status !== 0) {
  fs.rmSync(temporary, { recursive: true, force: true });
  process.exit(result.status ?? 1);
}
for (const directory of copies)
  fs.cpSync(path.join(cwd, directory), path.join(temporary, directory), { recursive: true });

if (fs.existsSync(dist)) fs.renameSync(dist, previous);
fs.renameSync(temporary, dist);
fs.rmSync(previous, { recursive: true, force: true });
