/**
 * Part of `cache`: the semantic index every replica shares (`RedisVectorIndex` on the real Redis),
 * with two instances in this process standing for two API replicas (each its own connections, its
 * own mirror, fed only through Redis). Baselines measured in the same run, on the same data:
 * - the exact scan of the same mirror (what the in-memory index does today) for latency, recall and
 *   false hits at scale;
 * - the in-memory exact index of one process for the labeled pairs' false-hit rate;
 * - one replica alone for the Zipf replay's hit rate, next to stores on one replica and lookups
 *   on the other.
 */
import {
  MemoryVectorIndex,
  QUESTION_EMBEDDER_THRESHOLD,
  QuestionEmbedder,
  ResponseCache,
  VectorSemanticCache,
  type CacheEmbedder,
  type CacheableRequest,
  type SemanticCache,
  type VectorIndex,
} from '@ai-scale/cache';
import { RedisKeyValueCache, RedisVectorIndex, deleteRedisKeysByPrefix } from '@ai-scale/cache/redis';
import { evaluatePairs, type LabeledQueryPair } from '@ai-scale/cache/testing';
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { formatTable, quantile, round } from '../report';
import type { ScenarioContext } from '../scenario';
import { fillerQuestion, intentsOf, loadPairs, zipfStream } from './cache-workload';

export interface SharedSemanticOptions {
  readonly redisUrl: string;
  /** The semantic representation under test; default the cache's `QuestionEmbedder`. */
  readonly embedder?: CacheEmbedder;
  readonly threshold?: number;
  readonly keyTermGuard?: boolean;
}

interface Replica {
  readonly index: RedisVectorIndex;
  readonly semantic: VectorSemanticCache;
}

const STORE_CONCURRENCY = 32;

function question(tenantId: string, text: string): CacheableRequest {
  return {
    tenantId,
    modelRoute: 'tier:small',
    promptVersion: 'answer@1',
    messages: [
      { role: 'system', content: 'Answer from the documentation. Cite your sources.' },
      { role: 'user', content: text },
    ],
    temperature: 0,
    maxTokens: 400,
  };
}

/** The same index searched exactly (its mirror's full scan): the baseline over identical data. */
function exactView(index: RedisVectorIndex): VectorIndex {
  return {
    name: 'redis-exact',
    upsert: (partition, items) => index.upsert(partition, items),
    query: (partition, vector, topK) => index.queryExact(partition, vector, topK),
    delete: (partition, ids) => index.delete(partition, ids),
    deletePartitionsByPrefix: (prefix) => index.deletePartitionsByPrefix(prefix),
    close: async () => undefined,
  };
}

async function inBatches<T>(items: readonly T[], run: (item: T, position: number) => Promise<void>) {
  for (let start = 0; start < items.length; start += STORE_CONCURRENCY) {
    await Promise.all(items.slice(start, start + STORE_CONCURRENCY).map((item, i) => run(item, start + i)));
  }
}

/** Milliseconds per call, after a warm-up. */
async function sampleMs(samples: number, run: (position: number) => Promise<unknown>): Promise<number[]> {
  for (let position = 0; position < Math.min(50, samples); position++) await run(position);
  const timings: number[] = [];
  for (let position = 0; position < samples; position++) {
    const started = process.hrtime.bigint();
    await run(position);
    timings.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return timings;
}

/** Stores on `writer`, looks up on `reader` once it has read the change stream up to the store. */
function crossReplica(writer: Replica, reader: Replica): SemanticCache {
  return {
    store: async (scope, query, value, options) => {
      await writer.semantic.store(scope, query, value, options);
      await reader.index.catchUp();
    },
    lookup: (scope, query) => reader.semantic.lookup(scope, query),
    explain: (scope, query) => reader.semantic.explain(scope, query),
    clearTenant: (tenantId) => writer.semantic.clearTenant(tenantId),
    close: async () => undefined,
  };
}

export async function sharedSemanticBench(
  context: ScenarioContext,
  options: SharedSemanticOptions,
): Promise<Record<string, number>> {
  const embedder = options.embedder ?? new QuestionEmbedder();
  const threshold = options.threshold ?? QUESTION_EMBEDDER_THRESHOLD;
  const keyTermGuard = options.keyTermGuard ?? true;
  const size = context.quick ? 20_000 : 100_000;
  const samples = context.quick ? 300 : 1000;
  const streamLength = context.quick ? 3_000 : 20_000;
  const prefix = `bench_shared_${Date.now().toString(36)}:`;
  const opened: Array<{ close(): Promise<void> }> = [];
  const replica = (name: string, extra: Partial<ConstructorParameters<typeof RedisVectorIndex>[0]> = {}) => {
    const index = new RedisVectorIndex({
      url: options.redisUrl,
      keyPrefix: `${prefix}${name}:`,
      dimensions: embedder.dimensions,
      maxItemsPerPartition: 200_000,
      ...extra,
    });
    opened.push(index);
    const semantic = new VectorSemanticCache({ embedder, index, threshold, keyTermGuard });
    return { index, semantic };
  };
  const metrics: Record<string, number> = {};
  const pairs = loadPairs();
  try {
    // 1. Latency, recall and false hits at scale: A writes, B mirrors through Redis and answers.
    const a = replica('big');
    const scope = { tenantId: 'bench-tenant', partition: 'bench' };
    let started = Date.now();
    // The labeled pairs' first questions go in first, then the filler: their second questions are
    // hard probes of old entries (searched through the graph), not of the latest ones (which every
    // query also scans exactly).
    await inBatches(pairs, (pair) => a.semantic.store(scope, pair.a, { pair: pair.id }));
    await inBatches(
      Array.from({ length: size }, (_, position) => position),
      (position) => a.semantic.store(scope, fillerQuestion(position), { k: position }),
    );
    const storeMs = Date.now() - started;
    context.log(`shared index: ${size + pairs.length} entries stored through replica A in ${storeMs} ms`);
    const b = replica('big');
    started = Date.now();
    await b.semantic.lookup(scope, 'warm-up question that loads the mirror');
    const loadMs = Date.now() - started;
    await b.index.indexed();
    const linkMs = Date.now() - started - loadMs;
    context.log(
      `replica B mirrored them from Redis in ${loadMs} ms (exact scans meanwhile), graph built in ${linkMs} ms more`,
    );
    const exact = new VectorSemanticCache({ embedder, index: exactView(b.index), threshold, keyTermGuard });

    const probes = [
      ...Array.from({ length: samples }, (_, position) =>
        fillerQuestion((position * 7919) % size).replace('How do I', 'How can I'),
      ),
      ...pairs.map((pair) => pair.b),
    ];
    const shared = await sampleMs(probes.length, (position) =>
      b.semantic.lookup(scope, probes[position] as string),
    );
    const scan = await sampleMs(Math.min(200, probes.length), (position) =>
      exact.lookup(scope, probes[position] as string),
    );
    // Recall against the exact scan, as the cache sees it: of the probes the exact scan answers,
    // the share the HNSW search answers with the same entry.
    let recalled = 0;
    let expected = 0;
    let sameOutcome = 0;
    for (const probe of probes) {
      const hit = await b.semantic.lookup(scope, probe);
      const reference = await exact.lookup(scope, probe);
      if (JSON.stringify(hit?.value ?? null) === JSON.stringify(reference?.value ?? null)) sameOutcome++;
      if (reference !== null) {
        expected++;
        if (hit !== null && JSON.stringify(hit.value) === JSON.stringify(reference.value)) recalled++;
      }
    }
    // How long until replica B serves what replica A just stored (B already mirrors the partition).
    const propagation: number[] = [];
    let propagated = 0;
    const propagationSamples = 50;
    for (let sample = 0; sample < propagationSamples; sample++) {
      const fresh = `How do I rotate the signing secret of integration number ${sample} on staging?`;
      await a.semantic.store(scope, fresh, { fresh: sample });
      const stored = process.hrtime.bigint();
      const elapsedMs = (): number => Number(process.hrtime.bigint() - stored) / 1e6;
      let hit = false;
      while (!hit && elapsedMs() < 5000) {
        hit = (await b.semantic.lookup(scope, fresh)) !== null;
        if (!hit) await new Promise((resolve) => setTimeout(resolve, 1));
      }
      if (hit) {
        propagated++;
        propagation.push(elapsedMs());
      } else {
        const inMirror = (await exact.lookup(scope, fresh)) !== null;
        context.log(
          `replica B did not serve "${fresh}" within 5 s (exact scan of its mirror: ${inMirror ? 'found' : 'absent'})`,
        );
      }
    }
    const atScale = (cache: SemanticCache) => pairFalseHits(cache, scope, pairs);
    const sharedPairs = await atScale(b.semantic);
    const exactPairs = await atScale(exact);
    const sizeLabel = `${Math.round(size / 1000)}k`;
    Object.assign(metrics, {
      [`semantic_p50_ms_${sizeLabel}`]: round(quantile(shared, 0.5), 3),
      [`semantic_p99_ms_${sizeLabel}`]: round(quantile(shared, 0.99), 3),
      [`semantic_exact_scan_p50_ms_${sizeLabel}`]: round(quantile(scan, 0.5), 3),
      [`semantic_shared_hit_recall_${sizeLabel}`]: round(expected === 0 ? 1 : recalled / expected, 4),
      [`semantic_shared_same_outcome_${sizeLabel}`]: round(sameOutcome / probes.length, 4),
      [`semantic_shared_false_hit_ratio_${sizeLabel}`]: round(sharedPairs.falseHitRate, 4),
      [`semantic_exact_scan_false_hit_ratio_${sizeLabel}`]: round(exactPairs.falseHitRate, 4),
      [`semantic_shared_paraphrase_hit_ratio_${sizeLabel}`]: round(sharedPairs.paraphraseHitRate, 4),
      [`semantic_exact_scan_paraphrase_hit_ratio_${sizeLabel}`]: round(exactPairs.paraphraseHitRate, 4),
      semantic_shared_mirror_load_ms: loadMs,
      semantic_shared_graph_build_ms: linkMs,
      semantic_cross_replica_propagated_within_5s_ratio: round(propagated / propagationSamples, 4),
      semantic_cross_replica_propagation_p50_ms: round(quantile(propagation, 0.5), 2),
      semantic_cross_replica_propagation_p99_ms: round(quantile(propagation, 0.99), 2),
    });
    context.table(`shared semantic index, ${size + pairs.length} entries, ${embedder.dimensions}-d (ms)`, [
      {
        path: 'replica B: RedisVectorIndex (HNSW mirror)',
        p50: quantile(shared, 0.5),
        p99: quantile(shared, 0.99),
        false_hits: sharedPairs.falseHitRate,
        paraphrase_hits: sharedPairs.paraphraseHitRate,
      },
      {
        path: 'baseline: exact scan of the same mirror',
        p50: quantile(scan, 0.5),
        p99: quantile(scan, 0.99),
        false_hits: exactPairs.falseHitRate,
        paraphrase_hits: exactPairs.paraphraseHitRate,
      },
    ]);

    // 2. The labeled pairs across replicas: stored on A, asked on B, vs one process's exact index.
    const pairA = replica('pairs');
    const pairB = replica('pairs');
    const across = await evaluatePairs(crossReplica(pairA, pairB), pairs);
    const local = await evaluatePairs(
      new VectorSemanticCache({
        embedder,
        index: new MemoryVectorIndex({ dimensions: embedder.dimensions }),
        threshold,
        keyTermGuard,
      }),
      pairs,
    );
    Object.assign(metrics, {
      semantic_cross_replica_false_hit_ratio: round(across.falseHitRate, 4),
      semantic_cross_replica_paraphrase_hit_ratio: round(across.paraphraseHitRate, 4),
      semantic_single_process_false_hit_ratio: round(local.falseHitRate, 4),
      semantic_single_process_paraphrase_hit_ratio: round(local.paraphraseHitRate, 4),
    });

    // 3. Zipf replay: one replica alone, then stores on A and lookups on B (no waiting for the stream).
    const single = await replay(options.redisUrl, `${prefix}one:`, streamLength, () => {
      const only = replica('one');
      return [only, only];
    });
    const cross = await replay(options.redisUrl, `${prefix}two:`, streamLength, () => [
      replica('two'),
      replica('two'),
    ]);
    Object.assign(metrics, {
      semantic_single_replica_hit_ratio: round(single.hitRatio, 4),
      semantic_cross_replica_hit_ratio: round(cross.hitRatio, 4),
      semantic_cross_vs_single_hit_ratio: round(
        single.hitRatio === 0 ? 0 : cross.hitRatio / single.hitRatio,
        4,
      ),
    });
    context.table(`Zipf(1.0) replay of ${streamLength} questions through the shared index`, [
      {
        replicas: 'one (baseline)',
        repeats_answered: single.hitRatio,
        false_hits_per_hit: single.falseHitsPerHit,
      },
      {
        replicas: 'stored on A, asked on B',
        repeats_answered: cross.hitRatio,
        false_hits_per_hit: cross.falseHitsPerHit,
      },
    ]);
  } finally {
    await Promise.all(opened.map((item) => item.close()));
    await deleteRedisKeysByPrefix(options.redisUrl, prefix);
  }
  return metrics;
}

/** Near misses and paraphrases of the labeled pairs asked into the big partition (first questions stored there). */
async function pairFalseHits(
  cache: SemanticCache,
  scope: { tenantId: string; partition: string },
  pairs: readonly LabeledQueryPair[],
): Promise<{ falseHitRate: number; paraphraseHitRate: number }> {
  let nearMisses = 0;
  let falseHits = 0;
  let paraphrases = 0;
  let paraphraseHits = 0;
  for (const pair of pairs) {
    const hit = await cache.lookup(scope, pair.b);
    const served = (hit?.value as { pair?: string } | undefined)?.pair;
    if (pair.label === 'paraphrase') {
      paraphrases++;
      if (served === pair.id) paraphraseHits++;
    } else {
      nearMisses++;
      // Any answer served to a near miss that is not its own filler is wrong: its twin above all.
      if (hit !== null && served !== undefined) falseHits++;
    }
  }
  return {
    falseHitRate: nearMisses === 0 ? 0 : falseHits / nearMisses,
    paraphraseHitRate: paraphrases === 0 ? 0 : paraphraseHits / paraphrases,
  };
}

/**
 * Hit ratio over repeats (questions whose intent was asked before): with `cross`, every lookup goes
 * to replica B and every store to replica A, so each hit is an answer the other replica cached.
 */
async function replay(
  redisUrl: string,
  prefix: string,
  length: number,
  replicas: () => [Replica, Replica],
): Promise<{ hitRatio: number; falseHitsPerHit: number }> {
  const intents = intentsOf(loadPairs());
  const stream = zipfStream(intents, length, 1.0, 42);
  const [writerReplica, readerReplica] = replicas();
  const cross = writerReplica !== readerReplica;
  const store = () => new RedisKeyValueCache({ url: redisUrl, keyPrefix: prefix });
  const writerStore = store();
  const readerStore = cross ? store() : writerStore;
  const writer = new ResponseCache({ store: writerStore, semantic: writerReplica.semantic });
  const reader = new ResponseCache({ store: readerStore, semantic: readerReplica.semantic });
  const seen = new Set<number>();
  let repeats = 0;
  let hits = 0;
  let falseHits = 0;
  try {
    for (const { intent, question: text } of stream) {
      const request = question('replay-tenant', text);
      const hit = await reader.lookup(request);
      const repeat = seen.has(intent);
      if (repeat) repeats++;
      if (hit === null) {
        await writer.store(request, { intent }, { tokens: 700 });
        seen.add(intent);
      } else {
        if (repeat) hits++;
        if ((hit.value as { intent: number }).intent !== intent) falseHits++;
      }
    }
  } finally {
    await writerStore.close();
    if (cross) await readerStore.close();
  }
  return {
    hitRatio: repeats === 0 ? 0 : hits / repeats,
    falseHitsPerHit: hits === 0 ? 0 : falseHits / hits,
  };
}

/**
 * `node apps/bench/dist/scenarios/cache-shared.js [--quick] [--redis URL]`: this part alone (the
 * `cache` scenario runs it too), results in bench/results/cache-shared.json.
 */
if (require.main === module) {
  const args = process.argv.slice(2);
  const redisAt = args.indexOf('--redis');
  const quick = args.includes('--quick');
  const redisUrl =
    redisAt >= 0 ? (args[redisAt + 1] as string) : (process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  void (async () => {
    const metrics = await sharedSemanticBench(
      {
        quick,
        flags: {},
        log: (line) => console.error(`[cache-shared] ${line}`),
        table: (title, rows) => console.log(`\n${formatTable(title, rows)}\n`),
      },
      { redisUrl },
    );
    const machine = `${cpus().length} vCPU ${cpus()[0]?.model ?? ''}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
    const file = resolve(__dirname, `../../../../bench/results/cache-shared${quick ? '-quick' : ''}.json`);
    writeFileSync(
      file,
      `${JSON.stringify({ scenario: 'cache (shared semantic index part)', quick, machine, metrics }, null, 2)}\n`,
    );
    console.log(JSON.stringify(metrics));
    process.exit(0);
  })().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
