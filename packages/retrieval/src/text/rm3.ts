import type { WeightedTerm } from '../ports';

export interface Rm3Options {
  /** Expansion terms kept from the feedback documents' relevance model (default 20). */
  readonly feedbackTerms?: number;
  /** Weight of the original query in the interpolation, in [0, 1] (default 0.7). */
  readonly originalQueryWeight?: number;
}

export interface FeedbackDocument {
  /** The document's analyzed terms (the same analyzer as the index), in any order. */
  readonly terms: readonly string[];
  /** Its first-pass retrieval score (higher is better; scores ≤ 0 count as 0). */
  readonly score: number;
}

/**
 * RM3 pseudo-relevance feedback (Lavrenko & Croft's relevance model 1, interpolated with the query
 * as in Abdul-Jaleel et al. 2004 and Anserini): the top first-pass documents are assumed relevant,
 * P(w|R) = Σ_d P(w|d) · score(d) / Σ score with P(w|d) = tf / |d|, the `feedbackTerms` most probable
 * words are kept and renormalized, and each term's weight is
 * `originalQueryWeight · P(w|q) + (1 − originalQueryWeight) · P(w|R)` with P(w|q) from the query's
 * term counts. Returns the weighted terms, heaviest first (ties by term), ready for a BM25 query.
 */
export function rm3Expansion(
  query: readonly WeightedTerm[],
  feedback: readonly FeedbackDocument[],
  options: Rm3Options = {},
): WeightedTerm[] {
  const feedbackTerms = options.feedbackTerms ?? 20;
  const lambda = options.originalQueryWeight ?? 0.7;
  const queryMass = query.reduce((sum, { weight }) => sum + Math.max(0, weight), 0);
  const weights = new Map<string, number>();
  if (queryMass > 0) {
    for (const { term, weight } of query) {
      if (weight > 0) weights.set(term, (weights.get(term) ?? 0) + (lambda * weight) / queryMass);
    }
  }
  const documents = feedback.filter((document) => document.terms.length > 0);
  const scoreMass = documents.reduce((sum, document) => sum + Math.max(0, document.score), 0);
  const relevance = new Map<string, number>();
  for (const document of documents) {
    // Equal document weights when no first-pass score is positive.
    const documentWeight = scoreMass > 0 ? Math.max(0, document.score) / scoreMass : 1 / documents.length;
    if (documentWeight === 0) continue;
    const share = documentWeight / document.terms.length;
    for (const term of document.terms) relevance.set(term, (relevance.get(term) ?? 0) + share);
  }
  const kept = [...relevance]
    .sort((left, right) => right[1] - left[1] || (left[0] < right[0] ? -1 : 1))
    .slice(0, Math.max(0, feedbackTerms));
  const keptMass = kept.reduce((sum, [, probability]) => sum + probability, 0);
  if (keptMass > 0) {
    // Without a query (all stop words) the relevance model is the whole query.
    const feedbackWeight = queryMass > 0 ? 1 - lambda : 1;
    for (const [term, probability] of kept) {
      weights.set(term, (weights.get(term) ?? 0) + (feedbackWeight * probability) / keptMass);
    }
  }
  return [...weights]
    .filter(([, weight]) => weight > 0)
    .sort((left, right) => right[1] - left[1] || (left[0] < right[0] ? -1 : 1))
    .map(([term, weight]) => ({ term, weight }));
}
