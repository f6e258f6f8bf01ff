/**
 * Scenario `cost` (issue 15, part 6): cost per 1,000 answers of the same question stream served two
 * ways, side by side in one run, through the real gateway (TierRouter, prices.json, ledger) and the
 * real response cache of @ai-scale/cache:
 *   naive – no cache, every question to the large model (gpt-4.1);
 *   full  – the exact answer cache in front, and the router sends simple questions to the small
 *           tier (gpt-4.1-mini), complex ones (compare / step by step / why…) to the large one.
 * The stream is a seeded Zipf draw over a pool of questions, 70% simple and 30% complex, so repeats
 * are as common as in a support workload. Costs are the ledger's (list prices of today's models),
 * so the saving is one measured ratio: full ÷ naive. The model is a fake that answers with a fixed
 * ~120-token text, so only the model mix and the cache differ between the two paths.
 * This is an in-process scenario rather than a mode of `load`: the load stack (1 api + 2 workers,
 * Redis, PostgreSQL) serves one model only, and the cost does not depend on the transport.
 */
import {
  CacheResponseCacheHook,
  createLlmGateway,
  FakeLlmProvider,
  type LlmGateway,
  MemoryUsageLedger,
} from '@ai-scale/llm-gateway';
import { MemoryKeyValueCache, ResponseCache } from '@ai-scale/cache';
import { round } from '../report';
import type { Scenario } from '../scenario';
import { seededRandom, zipfSampler } from '../system/zipf';

const LARGE = 'gpt-4.1';
const SMALL = 'gpt-4.1-mini';
const POOL = 500;
const COMPLEX_SHARE = 0.3;
const ZIPF_EXPONENT = 1.0;
const ANSWER = `${'The refund is issued to the original payment method within five business days. '.repeat(8).trim()}`;

function question(index: number): string {
  // Indices ending in 0, 1 or 2 are complex: 30% of the pool, spread over the Zipf ranks.
  return index % 10 < COMPLEX_SHARE * 10
    ? `Compare the refund rules of product ${index} with product ${index + 1} step by step.`
    : `How many days does a refund take for product ${index}?`;
}

function gateway(withCache: boolean): {
  gateway: LlmGateway;
  ledger: MemoryUsageLedger;
  provider: FakeLlmProvider;
} {
  const provider = new FakeLlmProvider({ name: 'fake', respond: ANSWER });
  const ledger = new MemoryUsageLedger();
  const built = createLlmGateway({
    providers: [{ provider }],
    models: [
      { id: SMALL, provider: 'fake', tier: 'small', contextWindow: 1_047_576, maxOutputTokens: 1_024 },
      { id: LARGE, provider: 'fake', tier: 'large', contextWindow: 1_047_576, maxOutputTokens: 1_024 },
    ],
    routes: { small: [SMALL], large: [LARGE] },
    ledger,
    ...(withCache
      ? {
          cache: new CacheResponseCacheHook({
            cache: new ResponseCache({ store: new MemoryKeyValueCache() }),
          }),
        }
      : {}),
  });
  return { gateway: built, ledger, provider };
}

const scenario: Scenario = {
  name: 'cost',
  description:
    'cost per 1,000 answers on one question stream: naive (no cache, large model always) vs full (answer cache + small tier for simple questions), through the real gateway and cache',
  async run(context) {
    const answers = context.quick ? 2_000 : 10_000;
    const zipf = zipfSampler(POOL, ZIPF_EXPONENT, seededRandom(15));
    const stream = Array.from({ length: answers }, () => question(zipf.next()));
    const naive = gateway(false);
    const full = gateway(true);
    const tiers = { small: 0, large: 0, cache: 0 };
    for (const [index, text] of stream.entries()) {
      const messages = [{ role: 'user' as const, content: text }];
      await naive.gateway.chat({
        tenantId: 'bench',
        requestId: `naive-${index}`,
        tier: 'large',
        noCache: true,
        temperature: 0,
        messages,
      });
      const answer = await full.gateway.chat({
        tenantId: 'bench',
        requestId: `full-${index}`,
        temperature: 0,
        messages,
      });
      if (answer.cache) tiers.cache++;
      else if (answer.tier === 'small') tiers.small++;
      else tiers.large++;
    }
    const naiveUsd = (await naive.ledger.totals('bench', 'month')).costUsd;
    const fullUsd = (await full.ledger.totals('bench', 'month')).costUsd;
    const per1k = (usd: number) => round((usd / answers) * 1000, 4);
    const metrics = {
      answers,
      naive_cost_usd_per_1k_answers: per1k(naiveUsd),
      full_cost_usd_per_1k_answers: per1k(fullUsd),
      full_over_naive_cost_ratio: round(fullUsd / naiveUsd, 4),
      naive_model_calls: naive.provider.calls,
      full_model_calls: full.provider.calls,
      full_cache_hit_ratio: round(tiers.cache / answers, 4),
      full_small_tier_ratio: round(tiers.small / answers, 4),
      full_large_tier_ratio: round(tiers.large / answers, 4),
    };
    context.table(
      `cost: ${answers} answers, Zipf(${ZIPF_EXPONENT}) over ${POOL} questions, ${COMPLEX_SHARE * 100}% complex`,
      [
        {
          path: 'naive (no cache, gpt-4.1)',
          'model calls': naive.provider.calls,
          'USD per 1k answers': metrics.naive_cost_usd_per_1k_answers,
        },
        {
          path: 'full (cache + small tier)',
          'model calls': full.provider.calls,
          'USD per 1k answers': metrics.full_cost_usd_per_1k_answers,
        },
      ],
    );
    context.log(
      `full path: ${tiers.cache} cache hits, ${tiers.small} small, ${tiers.large} large; full ÷ naive cost ${metrics.full_over_naive_cost_ratio}`,
    );
    return metrics;
  },
};

export default scenario;
