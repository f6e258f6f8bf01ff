/**
 * `cache`: what `@ai-scale/cache` costs and what it saves.
 * - Exact hits: `ResponseCache.lookup` (key hashing, read, invalidation check) on memory and Redis,
 *   next to baselines measured in the same run: the adapter's bare `get` and a raw ioredis GET.
 * - Semantic lookups (embed, scan, key-term check) with the in-memory index at two sizes.
 * - A replay of a Zipf-distributed stream of paraphrased questions through exact + semantic cache:
 *   share of model calls avoided (and with exact matching only, as the baseline), false hits.
 * - The false-hit and paraphrase-hit rates on the labeled pairs (bench/datasets/cache-pairs).
 * The embedder is the deterministic `HashingEmbedder` (no model): semantic figures are a floor for
 * recall; a real embedding model needs its own threshold, measured the same way.
 */
import { Redis } from 'ioredis';
import {
  MemoryKeyValueCache,
  MemoryVectorIndex,
  ResponseCache,
  VectorSemanticCache,
  type CacheableRequest,
  type KeyValueCache,
} from '@ai-scale/cache';
import { RedisKeyValueCache, deleteRedisKeysByPrefix } from '@ai-scale/cache/redis';
import { HashingEmbedder, evaluatePairs } from '@ai-scale/cache/testing';
import { quantile, round } from '../report';
import type { Scenario, ScenarioContext } from '../scenario';
import { fillerQuestion, intentsOf, loadPairs, zipfStream } from './cache-workload';

const THRESHOLD = 0.75;
const DIMENSIONS = 256;

interface Settings {
  readonly exactSamples: number;
  readonly semanticSizes: readonly [number, number];
  readonly semanticSamples: number;
  readonly streamLength: number;
}

function settings(quick: boolean): Settings {
  return quick
    ? { exactSamples: 5_000, semanticSizes: [10_000, 50_000], semanticSamples: 100, streamLength: 3_000 }
    : { exactSamples: 50_000, semanticSizes: [10_000, 100_000], semanticSamples: 500, streamLength: 20_000 };
}

function sizeLabel(size: number): string {
  return size >= 1000 ? `${Math.round(size / 1000)}k` : String(size);
}

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

function semanticLayer(): VectorSemanticCache {
  const embedder = new HashingEmbedder(DIMENSIONS);
  return new VectorSemanticCache({
    embedder,
    index: new MemoryVectorIndex({ dimensions: DIMENSIONS, maxItemsPerPartition: 200_000 }),
    threshold: THRESHOLD,
  });
}

/** Microseconds per call of `run`, one sample per call, after a warm-up. */
async function sampleMicros(samples: number, run: (index: number) => Promise<unknown>): Promise<number[]> {
  for (let index = 0; index < Math.min(1_000, samples); index++) await run(index);
  const timings: number[] = [];
  for (let index = 0; index < samples; index++) {
    const started = process.hrtime.bigint();
    await run(index);
    timings.push(Number(process.hrtime.bigint() - started) / 1_000);
  }
  return timings;
}

async function exactHits(
  store: KeyValueCache,
  samples: number,
): Promise<{ lookup: number[]; get: number[] }> {
  const cache = new ResponseCache({ store });
  const requests = Array.from({ length: 100 }, (_, index) =>
    question('bench-tenant', `How do I configure feature ${index}?`),
  );
  for (const request of requests) {
    await cache.store(
      request,
      { text: 'x'.repeat(900), citations: ['doc-1', 'doc-2'] },
      { citedDocumentIds: ['doc-1', 'doc-2'], tokens: 800 },
    );
  }
  const lookup = await sampleMicros(samples, async (index) => {
    const hit = await cache.lookup(requests[index % requests.length] as CacheableRequest);
    if (hit?.kind !== 'exact') throw new Error('expected an exact hit');
  });
  await store.set('bench', 'k', { text: 'x'.repeat(1000) });
  const get = await sampleMicros(samples, () => store.get('bench', 'k'));
  return { lookup, get };
}

async function semanticLatency(
  size: number,
  samples: number,
  log: (line: string) => void,
): Promise<number[]> {
  const semantic = semanticLayer();
  const scope = { tenantId: 'bench-tenant', partition: 'bench' };
  const started = Date.now();
  for (let index = 0; index < size; index++) await semantic.store(scope, fillerQuestion(index), { k: index });
  log(`semantic index of ${size} entries built in ${Date.now() - started} ms`);
  const probes = Array.from({ length: samples }, (_, index) =>
    fillerQuestion((index * 7919) % size).replace('How do I', 'How can I'),
  );
  const timings = await sampleMicros(samples, (index) =>
    semantic.lookup(scope, probes[index % probes.length] as string),
  );
  await semantic.close();
  return timings.map((micros) => micros / 1000);
}

async function replay(streamLength: number, semantic: boolean) {
  const intents = intentsOf(loadPairs());
  const stream = zipfStream(intents, streamLength, 1.0, 42);
  const cache = new ResponseCache({
    store: new MemoryKeyValueCache({ maxEntries: 100_000 }),
    ...(semantic ? { semantic: semanticLayer() } : {}),
  });
  let modelCalls = 0;
  let falseHits = 0;
  let semanticHits = 0;
  for (const { intent, question: text } of stream) {
    const request = question('replay-tenant', text);
    const hit = await cache.lookup(request);
    if (hit === null) {
      modelCalls++;
      await cache.store(request, { intent }, { tokens: 700, costUsd: 0.0007 });
    } else {
      if (hit.kind === 'semantic') semanticHits++;
      if ((hit.value as { intent: number }).intent !== intent) falseHits++;
    }
  }
  const hits = stream.length - modelCalls;
  return {
    intents: intents.length,
    callsAvoided: hits / stream.length,
    falseHitsPerHit: hits === 0 ? 0 : falseHits / hits,
    semanticHits,
  };
}

const scenario: Scenario = {
  name: 'cache',
  description:
    'Exact and semantic cache latency, calls avoided on a Zipf replay, false hits on labeled pairs.',
  async run(context: ScenarioContext): Promise<Record<string, number>> {
    const config = settings(context.quick);
    const metrics: Record<string, number> = {};
    const redisUrl =
      typeof context.flags.redis === 'string'
        ? context.flags.redis
        : (process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');

    context.log('exact hits: memory');
    const memory = await exactHits(new MemoryKeyValueCache(), config.exactSamples);
    context.log('exact hits: redis');
    const prefix = `bench_cache_${Date.now().toString(36)}:`;
    const redisStore = new RedisKeyValueCache({ url: redisUrl, keyPrefix: prefix });
    const raw = new Redis(redisUrl);
    let redis: { lookup: number[]; get: number[] };
    let rawGet: number[];
    try {
      redis = await exactHits(redisStore, config.exactSamples);
      await raw.set(`${prefix}raw`, 'x'.repeat(1000), 'PX', 600_000);
      rawGet = await sampleMicros(config.exactSamples, () => raw.get(`${prefix}raw`));
    } finally {
      await redisStore.close();
      await raw.quit();
      await deleteRedisKeysByPrefix(redisUrl, prefix);
    }
    const p = (values: number[], q: number) => round(quantile(values, q), 1);
    context.table('exact hit latency (µs)', [
      { path: 'ResponseCache.lookup, memory', p50: p(memory.lookup, 0.5), p99: p(memory.lookup, 0.99) },
      { path: 'MemoryKeyValueCache.get (1 KB)', p50: p(memory.get, 0.5), p99: p(memory.get, 0.99) },
      { path: 'ResponseCache.lookup, redis', p50: p(redis.lookup, 0.5), p99: p(redis.lookup, 0.99) },
      { path: 'RedisKeyValueCache.get (1 KB)', p50: p(redis.get, 0.5), p99: p(redis.get, 0.99) },
      { path: 'baseline: raw ioredis GET (1 KB)', p50: p(rawGet, 0.5), p99: p(rawGet, 0.99) },
    ]);
    Object.assign(metrics, {
      exact_hit_p50_us_memory: p(memory.lookup, 0.5),
      exact_hit_p99_us_memory: p(memory.lookup, 0.99),
      exact_hit_p50_us_redis: p(redis.lookup, 0.5),
      exact_hit_p99_us_redis: p(redis.lookup, 0.99),
      raw_redis_get_p50_us: p(rawGet, 0.5),
      exact_hit_redis_vs_raw_get_ratio: round(quantile(redis.lookup, 0.5) / quantile(rawGet, 0.5), 2),
    });

    const semanticRows: Array<Record<string, string | number>> = [];
    for (const size of config.semanticSizes) {
      const timings = await semanticLatency(size, config.semanticSamples, context.log);
      const label = sizeLabel(size);
      metrics[`semantic_p50_ms_${label}`] = round(quantile(timings, 0.5), 3);
      metrics[`semantic_p99_ms_${label}`] = round(quantile(timings, 0.99), 3);
      semanticRows.push({ entries: size, p50_ms: quantile(timings, 0.5), p99_ms: quantile(timings, 0.99) });
    }
    context.table(`semantic lookup, in-memory exact index, ${DIMENSIONS}-d (ms)`, semanticRows);

    context.log('zipf replay');
    const withSemantic = await replay(config.streamLength, true);
    const exactOnly = await replay(config.streamLength, false);
    context.table(
      `Zipf(1.0) replay of ${config.streamLength} questions over ${withSemantic.intents} intents`,
      [
        {
          cache: 'exact + semantic',
          calls_avoided: withSemantic.callsAvoided,
          false_hits_per_hit: withSemantic.falseHitsPerHit,
        },
        {
          cache: 'exact only (baseline)',
          calls_avoided: exactOnly.callsAvoided,
          false_hits_per_hit: exactOnly.falseHitsPerHit,
        },
      ],
    );
    metrics.calls_avoided_ratio = round(withSemantic.callsAvoided, 4);
    metrics.calls_avoided_ratio_exact_only = round(exactOnly.callsAvoided, 4);
    metrics.replay_false_hits_per_hit = round(withSemantic.falseHitsPerHit, 4);

    const pairs = loadPairs();
    const evaluation = await evaluatePairs(semanticLayer(), pairs);
    context.table(`labeled pairs (${pairs.length}), threshold ${THRESHOLD}`, [
      { measure: 'paraphrase hit rate', value: evaluation.paraphraseHitRate },
      { measure: 'false-hit rate (near misses served)', value: evaluation.falseHitRate },
      ...Object.entries(evaluation.falseHitRateByKind).map(([kind, rate]) => ({
        measure: `  false hits: ${kind}`,
        value: rate,
      })),
    ]);
    metrics.false_hit_ratio = round(evaluation.falseHitRate, 4);
    metrics.paraphrase_hit_ratio = round(evaluation.paraphraseHitRate, 4);
    return metrics;
  },
};

export default scenario;
