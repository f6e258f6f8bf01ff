import type { CacheEmbedder } from '../ports/embedder';
import type { SemanticCache } from '../ports/semantic-cache';
import { normalizeQuery } from '../response/normalize';
import { compareKeyTerms, extractKeyTerms, type KeyTermDifference } from '../semantic/key-terms';
import { seededRandom } from './random';

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

/**
 * Groups the questions of the pairs into intents: paraphrase pairs join two questions into one
 * intent (union-find); every other question is an intent of its own. Near misses therefore always
 * land in different intents, which is what the replay's false-hit count relies on.
 */
export function intentsOf(pairs: readonly LabeledQueryPair[]): string[][] {
  const parent = new Map<string, string>();
  const find = (text: string): string => {
    let root = text;
    while (parent.get(root) !== root) root = parent.get(root) as string;
    parent.set(text, root);
    return root;
  };
  // Questions that differ only in case and punctuation are one intent too ("How can I reset my
  // password?" / "how can i reset my password"), whether or not a pair says so.
  const byLoose = new Map<string, string>();
  const loose = (text: string): string =>
    text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, ' ')
      .trim();
  for (const pair of pairs) {
    for (const text of [pair.a, pair.b]) {
      if (parent.has(text)) continue;
      parent.set(text, text);
      const twin = byLoose.get(loose(text));
      if (twin === undefined) byLoose.set(loose(text), text);
      else parent.set(find(text), find(twin));
    }
    if (pair.label === 'paraphrase') parent.set(find(pair.a), find(pair.b));
  }
  const groups = new Map<string, string[]>();
  for (const text of parent.keys()) {
    const root = find(text);
    groups.set(root, [...(groups.get(root) ?? []), text]);
  }
  return [...groups.values()];
}

const PREFIXES = ['', '', 'hi, ', 'quick question: ', 'hey, ', 'please tell me: '];
const SUFFIXES = ['', '', ' thanks', ' please', ' thank you'];

/**
 * How people actually type a question they have seen phrased before: sometimes in lower case,
 * without the question mark, with a greeting or a "thanks". Exact keys miss these; a semantic cache
 * should not.
 */
function retype(question: string, random: () => number): string {
  if (random() < 0.5) return question;
  let text = question;
  if (random() < 0.5) text = text.toLowerCase();
  if (random() < 0.5) text = text.replace(/\?$/, '');
  const prefix = PREFIXES[Math.floor(random() * PREFIXES.length)] as string;
  const suffix = SUFFIXES[Math.floor(random() * SUFFIXES.length)] as string;
  return `${prefix}${prefix === '' ? text : text.charAt(0).toLowerCase() + text.slice(1)}${suffix}`;
}

/**
 * `length` draws of intent indexes with Zipf(s) popularity, each with a uniformly chosen wording,
 * half of them retyped (see `retype`).
 */
export function zipfStream(
  intents: readonly string[][],
  length: number,
  exponent: number,
  seed: number,
): Array<{ intent: number; question: string }> {
  const random = seededRandom(seed);
  // Shuffle so popularity does not follow file order.
  const order = intents.map((_, index) => index).sort(() => random() - 0.5);
  const weights = order.map((_, rank) => 1 / (rank + 1) ** exponent);
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  const cumulative: number[] = [];
  let running = 0;
  for (const weight of weights) cumulative.push((running += weight / total));
  return Array.from({ length }, () => {
    const draw = random();
    const rank = Math.min(
      cumulative.findIndex((value) => value >= draw),
      order.length - 1,
    );
    const intent = order[rank < 0 ? order.length - 1 : rank] as number;
    const wordings = intents[intent] as string[];
    return { intent, question: retype(wordings[Math.floor(random() * wordings.length)] as string, random) };
  });
}

export interface ReplaySummary {
  readonly questions: number;
  readonly modelCalls: number;
  /** Share of questions answered from the cache (exact or semantic, right or wrong). */
  readonly callsAvoidedRatio: number;
  /** Share of questions answered by a semantic hit. */
  readonly semanticHitRatio: number;
  /** Hits that served another intent's answer, per hit. */
  readonly falseHitsPerHit: number;
  /** What a perfect cache avoids on this stream: every question but the first of each intent. */
  readonly bestCallsAvoidedRatio: number;
  /** Correct hits over the best possible: 1 is a perfect cache. */
  readonly shareOfBestSaving: number;
}

/**
 * Counts a replay of a question stream through a cache: for each question, its intent and what the
 * cache did (`served`: the intent of the answer it returned, `null` on a miss).
 */
export class ReplayTally {
  private questions = 0;
  private hits = 0;
  private semanticHits = 0;
  private falseHits = 0;
  private readonly seen = new Set<number>();

  record(
    intent: number,
    outcome: { readonly kind: 'exact' | 'semantic' | null; readonly served?: number },
  ): void {
    this.questions++;
    this.seen.add(intent);
    if (outcome.kind === null) return;
    this.hits++;
    if (outcome.kind === 'semantic') this.semanticHits++;
    if (outcome.served !== intent) this.falseHits++;
  }

  summary(): ReplaySummary {
    const { questions, hits } = this;
    const best = questions - this.seen.size;
    return {
      questions,
      modelCalls: questions - hits,
      callsAvoidedRatio: questions === 0 ? 0 : hits / questions,
      semanticHitRatio: questions === 0 ? 0 : this.semanticHits / questions,
      falseHitsPerHit: hits === 0 ? 0 : this.falseHits / hits,
      bestCallsAvoidedRatio: questions === 0 ? 0 : best / questions,
      shareOfBestSaving: best === 0 ? 1 : (hits - this.falseHits) / best,
    };
  }
}
