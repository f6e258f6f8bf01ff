// Preloaded (NODE_OPTIONS=--require) when the test suite runs a second time under Node 24 from the
// same node_modules. N-API addons (LanceDB, swc, turbo) load on any Node; better-sqlite3 is built
// against one Node ABI, and node_modules holds the Node 20 build. `tools/node24/setup.sh` compiles
// a copy for this Node's ABI into the cache; this hook loads that copy instead, in this process
// and in every child (jest workers, servers spawned by e2e tests), without touching node_modules.
'use strict';
const path = require('node:path');
const os = require('node:os');
const { existsSync } = require('node:fs');

const cacheRoot = path.join(
  process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'),
  'ai-scale',
  'node24',
);
const suffix = `${path.sep}better-sqlite3${path.sep}build${path.sep}Release${path.sep}better_sqlite3.node`;
const originalDlopen = process.dlopen;

process.dlopen = function dlopen(module, filename, ...rest) {
  if (typeof filename === 'string' && filename.endsWith(suffix)) {
    const packageRoot = filename.slice(0, -suffix.length + `${path.sep}better-sqlite3`.length);
    const { version } = require(path.join(packageRoot, 'package.json'));
    const rebuilt = path.join(cacheRoot, `better-sqlite3-${version}-abi${process.versions.modules}.node`);
    if (existsSync(rebuilt)) return originalDlopen.call(this, module, rebuilt, ...rest);
  }
  return originalDlopen.call(this, module, filename, ...rest);
};
