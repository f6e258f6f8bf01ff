/**
 * `npm run eval -- retrieval --dataset DIR [--store lancedb|memory] [--dimensions 384]
 * [--chunk-size 256] [--chunk-overlap 32] [--limit-queries N]`: prints nDCG@10, recall@10,
 * recall@100 and MRR@10 per mode and, as its last line, one JSON object
 * `{"dataset", "modes": {"vector": {...}, "keyword": {...}, "hybrid": {...}, "hybrid+rerank": {...}}}`.
 */
import { parseFlags } from './report';
import { evaluateRetrieval } from './eval-retrieval';

// LanceDB's full-text index build deadlocks on two cores with one pool thread (upstream #3568).
process.env.LANCE_CPU_THREADS ??= '2';
process.env.LANCEDB_LOG ??= 'error';

const USAGE =
  'usage: npm run eval -- retrieval --dataset DIR [--store lancedb|memory] [--dimensions N] [--chunk-size N] [--chunk-overlap N] [--limit-queries N]';

async function main(): Promise<void> {
  const { positional, flags } = parseFlags(process.argv.slice(2));
  if (positional[0] !== 'retrieval' || typeof flags.dataset !== 'string') {
    console.error(USAGE);
    process.exit(2);
  }
  const store = flags.store ?? 'lancedb';
  if (store !== 'lancedb' && store !== 'memory') {
    console.error(`--store must be lancedb or memory\n${USAGE}`);
    process.exit(2);
  }
  const number = (name: string, fallback: number): number => {
    const value = flags[name];
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed <= 0) {
      console.error(`--${name} must be a positive integer\n${USAGE}`);
      process.exit(2);
    }
    return parsed;
  };
  const result = await evaluateRetrieval({
    dataset: flags.dataset,
    store,
    dimensions: number('dimensions', 384),
    chunkSize: number('chunk-size', 256),
    chunkOverlap: number('chunk-overlap', 32),
    ...(flags['limit-queries'] === undefined ? {} : { limitQueries: number('limit-queries', 1) }),
    log: (line) => console.error(`[eval] ${line}`),
  });
  console.log(JSON.stringify(result));
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
