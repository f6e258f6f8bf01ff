/**
 * `npm run eval -- retrieval --dataset DIR [--dataset DIR …] [--store lancedb|memory] [--dimensions 256]
 * [--chunk-size 256] [--chunk-overlap 32] [--limit-queries N] [--no-feedback]`: for each BEIR folder,
 * one table of nDCG@10, recall@10, recall@100 and MRR@10 per mode, beside the reference BM25 its
 * README gives; the figures go to bench/results/eval-<dataset>[-<store>].json (the default store,
 * LanceDB, writes eval-<dataset>.json). Progress goes to stderr; the last stdout line is one JSON
 * object `{"datasets": [...]}`.
 *
 * `npm run eval -- sweep --dataset A --dataset B …`: the loss analysis, the hybrid components and the
 * parameter grid with leave-one-out (see eval-sweep.ts), written to bench/results/retrieval-sweep.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { evaluateRetrieval, loadBeirWithTitles, readReferenceBm25 } from './eval-retrieval';
import { sweep } from './eval-sweep';

// LanceDB's full-text index build deadlocks on two cores with one pool thread (upstream #3568).
process.env.LANCE_CPU_THREADS ??= '2';
process.env.LANCEDB_LOG ??= 'error';

const USAGE =
  'usage: npm run eval -- retrieval --dataset DIR [--dataset DIR …] [--store lancedb|memory] [--dimensions N] [--chunk-size N] [--chunk-overlap N] [--limit-queries N] [--no-feedback]';

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: process.argv.slice(2),
      allowPositionals: true,
      options: {
        dataset: { type: 'string', multiple: true },
        store: { type: 'string', default: 'lancedb' },
        // The server's EMBEDDINGS_DIMENSIONS default: the figures are those of the server as shipped.
        dimensions: { type: 'string', default: '256' },
        'chunk-size': { type: 'string', default: '256' },
        'chunk-overlap': { type: 'string', default: '32' },
        'limit-queries': { type: 'string' },
        'no-feedback': { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    fail((error as Error).message);
  }
  const { positionals, values } = parsed;
  if ((positionals[0] !== 'retrieval' && positionals[0] !== 'sweep') || positionals.length !== 1)
    fail('the evaluations are "retrieval" and "sweep"');
  const datasets = values.dataset ?? [];
  if (datasets.length === 0) fail('--dataset DIR is required (repeat it for several collections)');
  const resultsDir = resolve(__dirname, '../../../bench/results');
  mkdirSync(resultsDir, { recursive: true });
  const positive = (name: string, value: string | undefined): number => {
    const number = Number(value);
    if (!Number.isInteger(number) || number <= 0) fail(`--${name} must be a positive integer`);
    return number;
  };
  if (positionals[0] === 'sweep') {
    if (datasets.length < 2) fail('the sweep needs two collections or more (leave-one-out)');
    const collections = datasets.map((dataset) => {
      const directory = resolve(dataset);
      const reference = readReferenceBm25(directory);
      if (reference === undefined) fail(`${dataset}: its README states no reference BM25`);
      return { name: basename(directory), reference, ...loadBeirWithTitles(directory) };
    });
    const result = await sweep(collections, positive('dimensions', values.dimensions), (line) =>
      console.error(`[sweep] ${line}`),
    );
    const file = join(resultsDir, 'retrieval-sweep.json');
    writeFileSync(file, JSON.stringify({ measured: new Date().toISOString(), ...result }, null, 2) + '\n');
    console.error(`[sweep] wrote ${file}`);
    console.log(JSON.stringify({ grid: result.grid }));
    process.exit(0);
  }
  const store = values.store;
  if (store !== 'lancedb' && store !== 'memory') fail('--store must be lancedb or memory');

  const summaries = [];
  for (const dataset of datasets) {
    const result = await evaluateRetrieval({
      dataset,
      store,
      dimensions: positive('dimensions', values.dimensions),
      chunkSize: positive('chunk-size', values['chunk-size']),
      chunkOverlap: positive('chunk-overlap', values['chunk-overlap']),
      feedback: !values['no-feedback'],
      ...(values['limit-queries'] === undefined
        ? {}
        : { limitQueries: positive('limit-queries', values['limit-queries']) }),
      log: (line) => console.error(`[eval ${dataset}] ${line}`),
    });
    const suffix = `${store === 'lancedb' ? '' : `-${store}`}${values['no-feedback'] ? '-no-feedback' : ''}`;
    // A smoke run (--limit-queries) or non-default chunking is printed, never written over the figures.
    const defaults =
      values['limit-queries'] === undefined &&
      values['chunk-size'] === '256' &&
      values['chunk-overlap'] === '32' &&
      values.dimensions === '256';
    if (defaults) {
      const file = join(resultsDir, `eval-${result.dataset}${suffix}.json`);
      writeFileSync(
        file,
        JSON.stringify(
          {
            ...result,
            measured: new Date().toISOString(),
            machine: `${cpus().length} vCPU ${cpus()[0]?.model ?? ''}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
          },
          null,
          2,
        ) + '\n',
      );
      console.error(`[eval ${dataset}] wrote ${file}`);
    }
    summaries.push(result);
  }
  console.log(JSON.stringify({ datasets: summaries }));
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
