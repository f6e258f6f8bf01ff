import type { RerankRequest, RerankedItem, Reranker } from '../ports';
import { InvalidRetrievalRequestError } from '../errors';
import { cosine } from '../internal/validate';

export interface MmrRerankerOptions {
  /** Relevance vs diversity: 1 = relevance only, 0 = diversity only (default 0.7). */
  readonly lambda?: number;
}

/**
 * Maximal marginal relevance (Carbonell & Goldstein, 1998): picks, one at a time, the candidate
 * maximising λ·sim(query, d) − (1−λ)·max sim(d, already picked), so near-duplicate chunks do not
 * crowd the top. Relevance is the cosine to the query vector, blended with the first-stage rank so
 * fused (hybrid) rankings are not thrown away. Local, no network; needs vectors.
 */
export class MmrReranker implements Reranker {
  readonly id = 'mmr';
  readonly needsVectors = true;
  private readonly lambda: number;

  constructor(options: MmrRerankerOptions = {}) {
    this.lambda = options.lambda ?? 0.7;
    if (!(this.lambda >= 0 && this.lambda <= 1))
      throw new InvalidRetrievalRequestError({ message: 'lambda must be in [0, 1]' });
  }

  async rerank(request: RerankRequest): Promise<RerankedItem[]> {
    const { candidates, queryVector } = request;
    if (queryVector === undefined || candidates.some((candidate) => candidate.vector === undefined)) {
      throw new InvalidRetrievalRequestError({
        message: 'MMR needs the query vector and every candidate vector',
      });
    }
    const count = candidates.length;
    // Relevance: half cosine to the query, half the first-stage rank mapped to [0, 1].
    const relevance = candidates.map(
      (candidate, index) =>
        0.5 * cosine(queryVector, candidate.vector as number[]) + 0.5 * (1 - index / Math.max(1, count)),
    );
    const picked: RerankedItem[] = [];
    const remaining = new Set(candidates.map((_, index) => index));
    const maxSimilarity = new Array<number>(count).fill(0);
    while (picked.length < Math.min(request.topK, count)) {
      let best = -1;
      let bestScore = -Infinity;
      for (const index of remaining) {
        const score =
          this.lambda * (relevance[index] as number) - (1 - this.lambda) * (maxSimilarity[index] as number);
        if (score > bestScore) {
          bestScore = score;
          best = index;
        }
      }
      remaining.delete(best);
      picked.push({ index: best, score: bestScore });
      const chosen = candidates[best]?.vector as number[];
      for (const index of remaining) {
        maxSimilarity[index] = Math.max(
          maxSimilarity[index] as number,
          cosine(chosen, candidates[index]?.vector as number[]),
        );
      }
    }
    return picked;
  }
}
