export interface RerankCandidate {
  readonly text: string;
  /** The candidate's embedding, when the reranker needs one (`needsVectors`). */
  readonly vector?: readonly number[];
  /** The first-stage score (higher is better). */
  readonly score: number;
}

export interface RerankRequest {
  readonly query: string;
  readonly queryVector?: readonly number[];
  readonly candidates: readonly RerankCandidate[];
  readonly topK: number;
}

export interface RerankedItem {
  /** Index into `candidates`. */
  readonly index: number;
  /** Higher is better; comparable only within one call. */
  readonly score: number;
}

/**
 * Reorders first-stage candidates (relevance, diversity…).
 * Guarantees: returns at most `topK` items, each index at most once and within `candidates`, best
 * first; never invents candidates. A provider failure throws `RerankerProviderError`.
 */
export interface Reranker {
  readonly id: string;
  /** The caller must pass `queryVector` and each candidate's `vector` (MMR needs them). */
  readonly needsVectors: boolean;
  rerank(request: RerankRequest): Promise<RerankedItem[]>;
}
