import { parseArgs } from 'node:util';

export const SCENARIOS = [
  'queue',
  'cache',
  'cache-calibrate',
  'retrieval',
  'gateway',
  'budget',
  'cost',
  'load',
  'faults',
  'shared-index',
] as const;

/** Every flag a scenario reads (node:util parseArgs rejects any other, with its name). */
const OPTIONS = {
  quick: { type: 'boolean' },
  'skip-api': { type: 'boolean' },
  dataset: { type: 'string' },
  redis: { type: 'string' },
  rate: { type: 'string' },
  'production-rate': { type: 'string' },
  'fault-rate': { type: 'string' },
  stages: { type: 'string' },
  'stage-ms': { type: 'string' },
  'worker-concurrency': { type: 'string' },
} as const;

export const BENCH_USAGE = `usage: npm run bench -- <${SCENARIOS.join('|')}> [--quick] [${Object.keys(OPTIONS)
  .filter((option) => option !== 'quick')
  .map((option) => `--${option}${OPTIONS[option as keyof typeof OPTIONS].type === 'string' ? ' VALUE' : ''}`)
  .join('] [')}]`;

/** `[scenario, flags]` from argv, or a usage error naming the bad argument. */
export function parseBenchArgs(args: readonly string[]): {
  name: string | undefined;
  flags: Record<string, string | boolean>;
} {
  const { positionals, values } = parseArgs({ args: [...args], options: OPTIONS, allowPositionals: true });
  if (positionals.length > 1) throw new TypeError(`one scenario at a time, got: ${positionals.join(' ')}`);
  const flags: Record<string, string | boolean> = {};
  for (const [key, value] of Object.entries(values)) if (value !== undefined) flags[key] = value;
  return { name: positionals[0], flags };
}
