/**
 * `npm run bench -- <scenario> [--quick]`: runs one scenario, prints its tables and, as the very
 * last line, one JSON object `{"scenario", "metrics"}`, also written to bench/results/<scenario>.json.
 * Scenarios live in ./scenarios/<name>.ts and default-export a `Scenario`.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { BENCH_USAGE, parseBenchArgs, SCENARIOS } from './bench-args';
import { formatTable } from './report';
import type { Scenario } from './scenario';

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parseBenchArgs>;
  try {
    parsed = parseBenchArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${BENCH_USAGE}`);
    process.exit(2);
  }
  const { name, flags } = parsed;
  if (!name || !(SCENARIOS as readonly string[]).includes(name)) {
    console.error(BENCH_USAGE);
    process.exit(2);
  }
  const modulePath = join(__dirname, 'scenarios', `${name}.js`);
  if (!existsSync(modulePath)) {
    console.error(`scenario "${name}" is not built yet (${modulePath} missing)`);
    process.exit(2);
  }
  // A runtime path chosen by the CLI argument: a static import cannot name it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const scenario = (require(modulePath) as { default: Scenario }).default;
  const quick = flags.quick === true;
  const metrics = await scenario.run({
    quick,
    flags,
    log: (line) => console.error(`[${name}] ${line}`),
    table: (title, rows) => console.log(`\n${formatTable(title, rows)}\n`),
  });
  const resultsDir = resolve(__dirname, '../../../bench/results');
  mkdirSync(resultsDir, { recursive: true });
  const result = { scenario: name, quick, machine: machineDescription(), metrics };
  writeFileSync(join(resultsDir, `${name}.json`), JSON.stringify(result, null, 2) + '\n');
  console.log(JSON.stringify({ scenario: name, metrics }));
  // Scenarios close what they open; exit anyway so a lingering handle cannot hang the CLI.
  process.exit(0);
}

function machineDescription(): string {
  return `${cpus().length} vCPU ${cpus()[0]?.model ?? ''}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
