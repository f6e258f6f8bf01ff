import type { SemanticCache } from '../ports/semantic-cache';

/** One labeled pair of `bench/datasets/cache-pairs/pairs.jsonl`. */
export interface LabeledQueryPair {
  readonly id: string;
  /** `paraphrase`: the same answer serves both; `near_miss`: the answers differ. */
  readonly label: 'paraphrase' | 'near_miss';
  /** `paraphrase`, or what differs: `number`, `entity`, `date`, `negation`, `opposite`. */
  readonly kind: string;
  readonly domain: string;
  readonly a: string;
  readonly b: string;
}

export interface PairEvaluation {
  readonly trials: number;
  /** Share of paraphrase lookups served from the other question's entry. */
  readonly paraphraseHitRate: number;
  /** Share of near-miss lookups wrongly served the other question's answer. */
  readonly falseHitRate: number;
  readonly falseHits: ReadonlyArray<{
    readonly id: string;
    readonly kind: string;
    readonly stored: string;
    readonly asked: string;
  }>;
  /** False-hit rate per near-miss kind. */
  readonly falseHitRateByKind: Readonly<Record<string, number>>;
}

export function parsePairs(jsonl: string): LabeledQueryPair[] {
  return jsonl
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as LabeledQueryPair);
}

/**
 * Stores one question of each pair and asks the other, in both directions, each pair in its own
 * scope (so pairs never answer each other). Deterministic when the embedder is.
 */
export async function evaluatePairs(
  cache: SemanticCache,
  pairs: readonly LabeledQueryPair[],
): Promise<PairEvaluation> {
  let paraphraseTrials = 0;
  let paraphraseHits = 0;
  let nearMissTrials = 0;
  const falseHits: Array<{ id: string; kind: string; stored: string; asked: string }> = [];
  const trialsByKind: Record<string, number> = {};
  const falseByKind: Record<string, number> = {};
  for (const pair of pairs) {
    for (const [stored, asked, direction] of [
      [pair.a, pair.b, 'ab'],
      [pair.b, pair.a, 'ba'],
    ] as const) {
      const scope = { tenantId: 'eval', partition: `${pair.id}-${direction}` };
      await cache.store(scope, stored, pair.id);
      const hit = await cache.lookup(scope, asked);
      if (pair.label === 'paraphrase') {
        paraphraseTrials++;
        if (hit !== null) paraphraseHits++;
      } else {
        nearMissTrials++;
        trialsByKind[pair.kind] = (trialsByKind[pair.kind] ?? 0) + 1;
        if (hit !== null) {
          falseHits.push({ id: pair.id, kind: pair.kind, stored, asked });
          falseByKind[pair.kind] = (falseByKind[pair.kind] ?? 0) + 1;
        }
      }
    }
  }
  return {
    trials: paraphraseTrials + nearMissTrials,
    paraphraseHitRate: paraphraseTrials === 0 ? 0 : paraphraseHits / paraphraseTrials,
    falseHitRate: nearMissTrials === 0 ? 0 : falseHits.length / nearMissTrials,
    falseHits,
    falseHitRateByKind: Object.fromEntries(
      Object.entries(trialsByKind).map(([kind, trials]) => [kind, (falseByKind[kind] ?? 0) / trials]),
    ),
  };
}
