#!/usr/bin/env node
// `npm run check:packages`: what a user of the published packages gets, checked before publishing.
//   1. `npm pack` every public workspace package once (needs `npm run build` first: `dist/` is packed).
//   2. publint (--strict: warnings fail too) and attw (Are the Types Wrong?, node16 profile) on each
//      tarball. The node16 profile checks `require` and `import` under TypeScript's node16 resolution
//      and bundlers; it leaves out node10 (`moduleResolution: "node"`), which cannot see `exports`
//      subpaths at all and which TypeScript itself calls legacy. Our engines are Node >= 20.19.
//   3. An outside project (tools/packages/outside-project.mjs) installs the tarballs and imports every
//      entry in ESM mode, with the newest Node on PATH (.ci/run puts Node 24 first).
// Exits non-zero on the first package that fails, after printing every finding.
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

/** Public (non-private) workspace packages under packages/, with their directories. */
function publicPackages() {
  return fs
    .readdirSync(path.join(root, 'packages'))
    .map((name) => path.join(root, 'packages', name))
    .filter((dir) => fs.existsSync(path.join(dir, 'package.json')))
    .map((dir) => ({ dir, manifest: JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) }))
    .filter(({ manifest }) => !manifest.private);
}

/** Packs every package into `destination`; returns name → tarball path. */
function pack(packages, destination) {
  const output = execFileSync(
    'npm',
    ['pack', '--json', '--pack-destination', destination, ...packages.map(({ dir }) => dir)],
    { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Map(JSON.parse(output).map((entry) => [entry.name, path.join(destination, entry.filename)]));
}

/** Fields every published package must carry, beyond what publint checks. */
function metadataProblems({ manifest }) {
  const problems = [];
  if (manifest.license !== 'MIT') problems.push('license is not MIT');
  if (!manifest.repository?.url || !manifest.repository?.directory)
    problems.push('repository (url, directory) missing');
  if (manifest.publishConfig?.access !== 'public') problems.push('publishConfig.access is not "public"');
  if (!manifest.files?.includes('LICENSE')) problems.push('"files" does not list LICENSE');
  for (const [name, range] of Object.entries(manifest.peerDependencies ?? {}))
    if (!/^(\^|>=)/.test(range)) problems.push(`peer dependency ${name}@${range} is not a range (^x.y.z)`);
  for (const name of Object.keys(manifest.dependencies ?? {}))
    if (/^@opentelemetry\/(sdk-|exporter-|instrumentation)|^@grpc\//.test(name))
      problems.push(`depends on ${name}: the OpenTelemetry SDK is the app's choice (optional peer)`);
  return problems;
}

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8' });
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}`.trim() };
}

function main() {
  const packages = publicPackages();
  const destination = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-scale-pack-'));
  let failed = false;
  try {
    const tarballs = pack(packages, destination);
    for (const entry of packages) {
      const tarball = tarballs.get(entry.manifest.name);
      const problems = metadataProblems(entry);
      const publint = run(bin('publint'), ['run', tarball, '--strict']);
      const attw = run(bin('attw'), [tarball, '--profile', 'node16', '--format', 'ascii', '--no-color']);
      const ok = problems.length === 0 && publint.ok && attw.ok;
      console.log(`[packages] ${ok ? 'ok  ' : 'FAIL'} ${entry.manifest.name}`);
      if (!ok) {
        failed = true;
        for (const problem of problems) console.log(`  package.json: ${problem}`);
        if (!publint.ok) console.log(publint.output.replace(/^/gm, '  publint: '));
        if (!attw.ok) console.log(attw.output.replace(/^/gm, '  attw: '));
      }
    }
    if (failed) process.exit(1);
    const outside = spawnSync(
      process.execPath,
      [
        path.join(__dirname, 'outside-project.mjs'),
        ...packages.map(({ manifest }) => tarballs.get(manifest.name)),
      ],
      { cwd: root, stdio: 'inherit' },
    );
    if (outside.status !== 0) process.exit(outside.status ?? 1);
  } finally {
    fs.rmSync(destination, { recursive: true, force: true });
  }
}

main();
