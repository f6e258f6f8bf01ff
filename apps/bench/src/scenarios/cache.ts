/**
 * `cache`: what `@ai-scale/cache` costs and what it saves.
 * - Exact hits: `ResponseCache.lookup` (key hashing, read, invalidation check) on memory and Redis,
 *   next to baselines measured in the same run: the adapter's bare `get` and a raw ioredis GET.
 * - Semantic lookups (embed, scan, key-term check) with the in-memory index at two sizes.
 * - A replay of a Zipf-distributed stream of paraphrased questions through exact + semantic cache:
 *   share of model calls avoided (and with exact matching only, as the baseline), false hits.
 * - The false-hit and paraphrase-hit rates on the labelled pairs (bench/datasets/cache-pairs): the
 *   held-out set (the headline, never used for tuning) and the tuning set, for the configuration the
 *   server builds from its defaults and, separately, each alternative considered.
 * - The same kind of Zipf replay through POST /v1/chat (sync and async) of the real server stack.
 * Every semantic figure is of a configuration built by the server's own factory
 * (`createSemanticCacheConfig`, see cache-deployed.ts): what is measured is what is deployed.
 */
import { Redis } from 'ioredis';
import {
  MemoryKeyValueCache,
  ResponseCache,
  type VectorSemanticCache,
  type CacheableRequest,
  type KeyValueCache,
} from '@ai-scale/cache';
import { RedisKeyValueCache, deleteRedisKeysByPrefix } from '@ai-scale/cache/redis';
import { evaluatePairs, type LabeledQueryPair, type PairEvaluation } from '@ai-scale/cache/testing';
import { quantile, round } from '../report';
import type { Scenario, ScenarioContext } from '../scenario';
import { sharedSemanticBench } from './cache-shared';
import { BENCH_MODEL, startServerStack } from '../system/server-stack';
import {
  deployedSemanticConfig,
  replayThroughApi,
  semanticCacheOf,
  type DeployedSemanticConfig,
} from './cache-deployed';
import { HELD_OUT_PATH, fillerQuestion, intentsOf, loadPairs, zipfStream } from './cache-workload';

/**
 * The alternatives considered, each as the environment that makes the server deploy it (the
 * deployed default is `{}`). `embeddings` at 0.95 is what the server shipped before issue 20.
 */
const ALTERNATIVES: ReadonlyArray<{ readonly name: string; readonly environment: Record<string, string> }> = [
  { name: 'embeddings (LocalEmbedder), calibrated', environment: { CACHE_SEMANTIC_EMBEDDER: 'embeddings' } },
  {
    name: 'embeddings (LocalEmbedder) at 0.95 (before)',
    environment: { CACHE_SEMANTIC_EMBEDDER: 'embeddings', CACHE_SEMANTIC_THRESHOLD: '0.95' },
  },
  ...[0.7, 0.75, 0.85, 0.9].map((threshold) => ({
    name: `question at ${threshold}`,
    environment: { CACHE_SEMANTIC_THRESHOLD: String(threshold) },
  })),
];

interface Settings {
  readonly exactSamples: number;
  readonly semanticSizes: readonly [number, number];
  readonly semanticSamples: number;
  readonly streamLength: number;
  readonly apiStream: { readonly sync: number; readonly async: number };
}

function settings(quick: boolean): Settings {
  return quick
    ? {
        exactSamples: 5_000,
        semanticSizes: [10_000, 50_000],
        semanticSamples: 100,
        streamLength: 3_000,
        apiStream: { sync: 300, async: 150 },
      }
    : {
        exactSamples: 50_000,
        semanticSizes: [10_000, 100_000],
        semanticSamples: 500,
        streamLength: 20_000,
        apiStream: { sync: 1_500, async: 500 },
      };
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

/** The semantic layer exactly as the server deploys it by default. */
function semanticLayer(): VectorSemanticCache {
  return semanticCacheOf(deployedSemanticConfig());
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
  const intents = intentsOf(loadPairs(HELD_OUT_PATH));
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

function describe(config: DeployedSemanticConfig): string {
  return `${config.representation}, ${config.embedder.id}, threshold ${config.threshold} (${config.thresholdSource}), guard ${config.keyTermGuard ? 'on' : 'off'}`;
}

function rateRow(measure: string, heldOut: number | undefined, tuning: number | undefined) {
  return { measure, held_out: round(heldOut ?? 0, 4), tuning: round(tuning ?? 0, 4) };
}

/**
 * The replay through the product: the built server (API + worker, BullMQ, Redis cache, PostgreSQL)
 * on its default answer-cache configuration, a fake model that answers with the question's text.
 */
async function apiReplay(
  context: ScenarioContext,
  config: Settings,
  pairs: readonly LabeledQueryPair[],
): Promise<Record<string, number>> {
  context.log('zipf replay through POST /v1/chat (server stack)');
  const stack = await startServerStack({
    redisUrl:
      typeof context.flags.redis === 'string'
        ? context.flags.redis
        : (process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'),
    workers: 1,
    workerConcurrency: 4,
    modelLatencyMs: 5,
    log: context.log,
  });
  const metrics: Record<string, number> = {};
  const rows: Array<Record<string, string | number>> = [];
  try {
    const intents = intentsOf(pairs);
    for (const mode of ['sync', 'async'] as const) {
      // One tenant: the async run names the model, so its answers live apart (the model route is
      // part of every cache key) and it starts from a cold cache like the sync run.
      const summary = await replayThroughApi({
        apiUrl: stack.apiUrl,
        apiKey: stack.apiKey,
        ...(mode === 'async' ? { model: BENCH_MODEL } : {}),
        intents,
        length: config.apiStream[mode],
        seed: mode === 'sync' ? 7 : 11,
        mode,
      });
      rows.push({
        mode,
        questions: summary.questions,
        errors: summary.errors,
        calls_avoided_ratio: round(summary.callsAvoidedRatio, 4),
        best_possible: round(summary.bestCallsAvoidedRatio, 4),
        share_of_best_saving: round(summary.shareOfBestSaving, 4),
        semantic_hit_ratio: round(summary.semanticHitRatio, 4),
        false_hits_per_hit: round(summary.falseHitsPerHit, 4),
      });
      Object.assign(metrics, {
        [`api_${mode}_calls_avoided_ratio`]: round(summary.callsAvoidedRatio, 4),
        [`api_${mode}_best_calls_avoided_ratio`]: round(summary.bestCallsAvoidedRatio, 4),
        [`api_${mode}_share_of_best_saving`]: round(summary.shareOfBestSaving, 4),
        [`api_${mode}_semantic_hit_ratio`]: round(summary.semanticHitRatio, 4),
        [`api_${mode}_false_hits_per_hit`]: round(summary.falseHitsPerHit, 4),
        [`api_${mode}_errors`]: summary.errors,
      });
    }
  } finally {
    await stack.close();
  }
  context.table('Zipf(1.0) replay through POST /v1/chat, deployed defaults, held-out intents', rows);
  return metrics;
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
    context.table(
      `semantic lookup, deployed embedder (${deployedSemanticConfig().embedder.id}), in-memory exact index (ms)`,
      semanticRows,
    );

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

    const heldOut = loadPairs(HELD_OUT_PATH);
    const tuning = loadPairs();
    const deployed = deployedSemanticConfig();
    const headline = await evaluatePairs(semanticCacheOf(deployed), heldOut);
    const onTuning = await evaluatePairs(semanticCacheOf(deployed), tuning);
    context.log(`deployed: ${describe(deployed)}`);
    const kinds = [...new Set(heldOut.filter((pair) => pair.label === 'near_miss').map((pair) => pair.kind))];
    context.table(`labelled pairs, deployed configuration (${describe(deployed)})`, [
      rateRow('paraphrases served', headline.paraphraseHitRate, onTuning.paraphraseHitRate),
      rateRow('near misses served (false hits)', headline.falseHitRate, onTuning.falseHitRate),
      ...kinds.map((kind) =>
        rateRow(
          `  false hits: ${kind}`,
          headline.falseHitRateByKind[kind],
          onTuning.falseHitRateByKind[kind],
        ),
      ),
    ]);
    for (const falseHit of headline.falseHits)
      context.log(`held-out false hit: ${falseHit.stored} → ${falseHit.asked}`);
    Object.assign(metrics, {
      paraphrase_hit_ratio: round(headline.paraphraseHitRate, 4),
      false_hit_ratio: round(headline.falseHitRate, 4),
      paraphrase_hit_ratio_tuning: round(onTuning.paraphraseHitRate, 4),
      false_hit_ratio_tuning: round(onTuning.falseHitRate, 4),
      deployed_threshold: deployed.threshold,
    });

    const alternatives: Array<Record<string, string | number>> = [];
    for (const alternative of ALTERNATIVES) {
      const config = deployedSemanticConfig(alternative.environment);
      const [held, tuned]: PairEvaluation[] = [
        await evaluatePairs(semanticCacheOf(config), heldOut),
        await evaluatePairs(semanticCacheOf(config), tuning),
      ];
      alternatives.push({
        configuration: alternative.name,
        env: Object.entries(alternative.environment)
          .map(([key, value]) => `${key}=${value}`)
          .join(' '),
        paraphrases_held_out: round((held as PairEvaluation).paraphraseHitRate, 3),
        false_hits_held_out: round((held as PairEvaluation).falseHitRate, 3),
        paraphrases_tuning: round((tuned as PairEvaluation).paraphraseHitRate, 3),
        false_hits_tuning: round((tuned as PairEvaluation).falseHitRate, 3),
      });
    }
    context.table('alternatives considered (each a configuration the server starts with)', alternatives);

    if (context.flags['skip-api'] !== true) Object.assign(metrics, await apiReplay(context, config, heldOut));
    Object.assign(metrics, await sharedSemanticBench(context, { redisUrl })); // shared index: cache-shared.ts
    return metrics;
  },
};

export default scenario;
