#!/usr/bin/env node
// An outside project (ESM, `"type": "module"`) installs the packed packages and imports every entry,
// on whatever Node runs this script (.ci/run: Node 24). Usage: outside-project.mjs <tarball>...
// 1. Only the tarballs: nothing of the OpenTelemetry SDK or gRPC may be installed (libraries depend
//    on @opentelemetry/api alone), and every package's main entry must import without any optional
//    peer (the port entry never loads an adapter).
// 2. Then every optional peer the packages declare is added, and every subpath entry imports.
// Each import must expose named exports (Node's CommonJS named-export detection works on our output).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const tarballs = process.argv.slice(2).map((file) => path.resolve(file));
if (tarballs.length === 0) throw new Error('usage: outside-project.mjs <tarball>...');
const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const project = mkdtempSync(path.join(tmpdir(), 'ai-scale-outside-'));
const log = (message) => console.log(`[outside project, Node ${process.versions.node}] ${message}`);

/** `@scope/name-1.2.3.tgz` → the manifest inside, read with tar (npm pack writes `package/`). */
function manifestOf(tarball) {
  return JSON.parse(execFileSync('tar', ['-xOzf', tarball, 'package/package.json'], { encoding: 'utf8' }));
}

function npmInstall(args) {
  execFileSync(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--ignore-scripts',
      '--loglevel=error',
      ...args,
    ],
    { cwd: project, stdio: ['ignore', 'inherit', 'inherit'] },
  );
}

/** Every directory under node_modules (nested ones too) whose package name matches. */
function installed(pattern, directory = path.join(project, 'node_modules'), found = []) {
  if (!existsSync(directory)) return found;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const names = entry.name.startsWith('@')
      ? readdirSync(path.join(directory, entry.name)).map((child) => `${entry.name}/${child}`)
      : [entry.name];
    for (const name of names) {
      if (pattern.test(name)) found.push(name);
      installed(pattern, path.join(directory, name, 'node_modules'), found);
    }
  }
  return found;
}

/** Imports each specifier in a fresh ESM process; returns the failures. */
function importAll(specifiers) {
  const script = `
    const failures = [];
    for (const specifier of ${JSON.stringify(specifiers)}) {
      try {
        const namespace = await import(specifier);
        const named = Object.keys(namespace).filter((key) => key !== 'default' && key !== 'module.exports');
        if (named.length === 0) failures.push(specifier + ': no named exports');
      } catch (error) {
        failures.push(specifier + ': ' + String(error?.message ?? error).split('\\n')[0]);
      }
    }
    console.log(JSON.stringify(failures));`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: project,
    encoding: 'utf8',
  });
  if (result.status !== 0) return [`import script crashed: ${result.stderr}`];
  return JSON.parse(result.stdout.trim().split('\n').at(-1));
}

let failed = false;
const fail = (message) => {
  failed = true;
  console.log(`  FAIL ${message}`);
};
try {
  const manifests = tarballs.map(manifestOf);
  const dependencies = Object.fromEntries(
    manifests.map((manifest, index) => [manifest.name, `file:${tarballs[index]}`]),
  );
  // overrides: the packages' own @ai-scale/* dependencies resolve to these tarballs, never the registry.
  writeFileSync(
    path.join(project, 'package.json'),
    JSON.stringify(
      { name: 'outside-project', private: true, type: 'module', dependencies, overrides: dependencies },
      null,
      2,
    ),
  );
  log(`installing ${manifests.length} packed packages`);
  npmInstall([]);
  const sdk = installed(/^@opentelemetry\/(sdk-|exporter-|instrumentation)|^@grpc\//);
  if (sdk.length > 0)
    fail(`the packages pulled in the OpenTelemetry SDK or gRPC: ${[...new Set(sdk)].join(', ')}`);
  else log('no OpenTelemetry SDK, exporter, instrumentation or gRPC installed');

  const mainEntries = manifests.map((manifest) => manifest.name);
  for (const failure of importAll(mainEntries)) fail(`main entry without optional peers: ${failure}`);
  if (!failed) log(`imported ${mainEntries.length} main entries (ESM, no optional peers)`);

  const peers = new Map();
  for (const manifest of manifests)
    for (const [name, range] of Object.entries(manifest.peerDependencies ?? {}))
      if (!name.startsWith('@ai-scale/')) peers.set(name, range);
  // The optional peers (LanceDB, BullMQ, TypeORM, the OTel SDK, …: ~250 packages, minutes to
  // download) are linked from the repository's own install, which holds exactly these versions; a
  // linked package resolves its dependencies from where it really lives.
  const linked = [];
  for (const [name, range] of peers) {
    const source = path.join(repositoryRoot, 'node_modules', name);
    if (!existsSync(source)) {
      fail(`optional peer ${name}@${range} is not installed in the repository`);
      continue;
    }
    const target = path.join(project, 'node_modules', name);
    if (existsSync(target)) continue;
    mkdirSync(path.dirname(target), { recursive: true });
    symlinkSync(source, target, 'dir');
    linked.push(name);
  }
  log(`linked ${linked.length} optional peers from the repository's node_modules`);
  const subpaths = manifests.flatMap((manifest) =>
    Object.keys(manifest.exports ?? {}).map((key) =>
      key === '.' ? manifest.name : `${manifest.name}/${key.slice(2)}`,
    ),
  );
  const failures = importAll(subpaths);
  for (const failure of failures) fail(`entry: ${failure}`);
  if (failures.length === 0) log(`imported all ${subpaths.length} entries (ESM, with optional peers)`);
} finally {
  rmSync(project, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
