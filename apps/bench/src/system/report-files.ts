/** Where the system scenarios write their plots and per-stage details. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository root, from apps/bench/dist/system (built) or apps/bench/src/system (sources). */
export const REPOSITORY_ROOT = resolve(__dirname, '..', '..', '..', '..');

/** Writes `docs/benchmarks/<name>` and returns its path relative to the repository root. */
export function writePlot(name: string, svg: string): string {
  const directory = join(REPOSITORY_ROOT, 'docs', 'benchmarks');
  mkdirSync(directory, { recursive: true });
  writeFileSync(join(directory, name), svg);
  return `docs/benchmarks/${name}`;
}

/** Writes `bench/results/<name>` (details beyond the metrics line) and returns its relative path. */
export function writeDetails(name: string, data: unknown): string {
  const directory = join(REPOSITORY_ROOT, 'bench', 'results');
  mkdirSync(directory, { recursive: true });
  writeFileSync(join(directory, name), `${JSON.stringify(data, null, 2)}\n`);
  return `bench/results/${name}`;
}
