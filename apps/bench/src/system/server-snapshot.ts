/**
 * A private copy of the built server and the workspace packages it loads, in a temporary folder,
 * so that the processes a benchmark starts (and restarts) all run the same code even when someone
 * rebuilds a package's dist/ in the shared working tree meanwhile. Third-party modules are linked,
 * not copied (nobody rebuilds those).
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from './processes';

export interface ServerSnapshot {
  /** `node <mainPath>` starts the server. */
  readonly mainPath: string;
  dispose(): void;
}

/** Every file a package's `exports` (or `main`) names, so a half-built dist/ is noticed. */
function exportedFiles(packageDirectory: string): string[] {
  const manifest = JSON.parse(readFileSync(join(packageDirectory, 'package.json'), 'utf8')) as {
    main?: string;
    exports?: Record<string, { default?: string } | string>;
  };
  const files = manifest.main ? [manifest.main] : [];
  for (const entry of Object.values(manifest.exports ?? {})) {
    const target = typeof entry === 'string' ? entry : entry.default;
    if (target) files.push(target);
  }
  return files.map((file) => join(packageDirectory, file));
}

function complete(packageDirectory: string): boolean {
  return exportedFiles(packageDirectory).every((file) => existsSync(file));
}

function copyPackage(source: string, destination: string): void {
  mkdirSync(destination, { recursive: true });
  cpSync(join(source, 'package.json'), join(destination, 'package.json'));
  if (existsSync(join(source, 'dist')))
    cpSync(join(source, 'dist'), join(destination, 'dist'), { recursive: true });
  if (existsSync(join(source, 'node_modules')))
    symlinkSync(join(source, 'node_modules'), join(destination, 'node_modules'), 'dir');
}

export async function snapshotServer(
  repositoryRoot: string,
  log: (line: string) => void,
  waitMs = 120_000,
): Promise<ServerSnapshot> {
  const modules = join(repositoryRoot, 'node_modules');
  const workspace = readdirSync(join(modules, '@ai-scale')).map((name) => ({
    name,
    directory: realpathSync(join(modules, '@ai-scale', name)),
  }));
  const server = join(repositoryRoot, 'apps', 'server');
  const packages = workspace.filter(({ directory }) => existsSync(join(directory, 'package.json')));
  const deadline = performance.now() + waitMs;
  // Wait while a rebuild is under way (some package's dist/ missing or half written).
  while (
    !packages.every(({ directory }) => complete(directory)) ||
    !existsSync(join(server, 'dist', 'main.js'))
  ) {
    if (performance.now() > deadline) {
      const missing = packages.filter(({ directory }) => !complete(directory)).map(({ name }) => name);
      throw new Error(
        `the server or its packages are not built (${missing.join(', ') || 'apps/server'}): run npx turbo run build --filter=@ai-scale/server...`,
      );
    }
    log('waiting for a rebuild of the workspace packages to finish');
    await sleep(3_000);
  }
  const root = mkdtempSync(join(tmpdir(), 'ai-scale-bench-server-'));
  try {
    const snapshotModules = join(root, 'node_modules');
    mkdirSync(join(snapshotModules, '@ai-scale'), { recursive: true });
    for (const entry of readdirSync(modules)) {
      if (entry === '@ai-scale' || entry === '.bin' || entry.startsWith('.')) continue;
      symlinkSync(join(modules, entry), join(snapshotModules, entry));
    }
    for (const { name, directory } of packages)
      copyPackage(directory, join(snapshotModules, '@ai-scale', name));
    const mainPath = join(snapshotModules, '@ai-scale', 'server', 'dist', 'main.js');
    if (!existsSync(mainPath)) throw new Error(`snapshot incomplete: ${mainPath} missing`);
    return { mainPath, dispose: () => rmSync(root, { recursive: true, force: true }) };
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
}
