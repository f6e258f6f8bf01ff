import type { CacheEmbedder } from '../ports/embedder';
import type { SemanticCache } from '../ports/semantic-cache';
import { normalizeQuery } from '../response/normalize';
import { compareKeyTerms, extractKeyTerms, type KeyTermDifference } from '../semantic/key-terms';

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

/** One labelled pair as the semantic cache sees it: the cosine of its two questions and the guard's verdict. */
export interface ScoredPair {
  readonly pair: LabeledQueryPair;
  readonly similarity: number;
  /** What the key-term guard says (`null`: it lets the pair through). */
  readonly guard: KeyTermDifference | null;
}

function cosine(left: readonly number[], right: readonly number[]): number {
  let dot = 0;
  let leftNorm = 0;
  let rightNorm = 0;
  left.forEach((value, index) => {
    const other = right[index] ?? 0;
    dot += value * other;
    leftNorm += value * value;
    rightNorm += other * other;
  });
  return leftNorm === 0 || rightNorm === 0 ? 0 : dot / Math.sqrt(leftNorm * rightNorm);
}

/**
 * Embeds both questions of every pair once (normalised as `VectorSemanticCache` does) and records
 * their cosine and the guard's verdict, so that many thresholds can be read off one pass. For one
 * threshold this agrees with `evaluatePairs` on a cache with that embedder (tested).
 */
export async function scorePairs(
  embedder: CacheEmbedder,
  pairs: readonly LabeledQueryPair[],
  batchSize = 64,
): Promise<ScoredPair[]> {
  const texts = pairs.flatMap((pair) => [normalizeQuery(pair.a), normalizeQuery(pair.b)]);
  const vectors: number[][] = [];
  for (let start = 0; start < texts.length; start += batchSize)
    vectors.push(...(await embedder.embed(texts.slice(start, start + batchSize))));
  return pairs.map((pair, index) => ({
    pair,
    similarity: cosine(vectors[2 * index] as number[], vectors[2 * index + 1] as number[]),
    guard: compareKeyTerms(extractKeyTerms(pair.a), extractKeyTerms(pair.b)),
  }));
}

export interface ThresholdRates {
  readonly threshold: number;
  readonly paraphraseHitRate: number;
  readonly falseHitRate: number;
}

/** Paraphrase and false-hit rates at `threshold`, with the guard on (default) or off. */
export function ratesAt(scored: readonly ScoredPair[], threshold: number, guard = true): ThresholdRates {
  const served = (score: ScoredPair): boolean =>
    score.similarity >= threshold && (!guard || score.guard === null);
  const paraphrases = scored.filter((score) => score.pair.label === 'paraphrase');
  const nearMisses = scored.filter((score) => score.pair.label === 'near_miss');
  return {
    threshold,
    paraphraseHitRate: paraphrases.length === 0 ? 0 : paraphrases.filter(served).length / paraphrases.length,
    falseHitRate: nearMisses.length === 0 ? 0 : nearMisses.filter(served).length / nearMisses.length,
  };
}

/**
 * Calibrates a threshold for an embedder on labelled pairs (use the tuning set, never the held-out
 * one): the lowest threshold on a 0.01 grid at which the false-hit rate, guard on, is at most
 * `maxFalseHitRate` (default 0) at that threshold and every higher one, plus `margin` (default 0.02)
 * so that the first near miss of another set is not exactly at the edge. Returns it with the rates
 * at the chosen threshold.
 */
export function calibrateThreshold(
  scored: readonly ScoredPair[],
  options: { readonly maxFalseHitRate?: number; readonly margin?: number } = {},
): ThresholdRates {
  const maxFalseHitRate = options.maxFalseHitRate ?? 0;
  const margin = options.margin ?? 0.02;
  let lowest = 1;
  for (let step = 100; step >= 0; step--) {
    const threshold = step / 100;
    if (ratesAt(scored, threshold).falseHitRate > maxFalseHitRate) break;
    lowest = threshold;
  }
  const chosen = Math.min(1, Math.round((lowest + margin) * 100) / 100);
  return ratesAt(scored, chosen);
}
