export interface RankedList<T> {
  readonly items: readonly T[];
  /** Multiplies this list's contribution (default 1). */
  readonly weight?: number;
}

/**
 * Reciprocal rank fusion (Cormack, Clarke & Büttcher, 2009): score(d) = Σ weight / (k + rank(d)),
 * rank 1-based. Uses ranks only, so cosine similarities and BM25 scores need no calibration.
 * Ties are broken by the best single rank, then by first appearance.
 */
export function reciprocalRankFusion<T>(
  lists: readonly RankedList<T>[],
  key: (item: T) => string,
  k = 60,
): { item: T; score: number }[] {
  const fused = new Map<string, { item: T; score: number; bestRank: number; order: number }>();
  let order = 0;
  for (const list of lists) {
    const weight = list.weight ?? 1;
    list.items.forEach((item, index) => {
      const id = key(item);
      const contribution = weight / (k + index + 1);
      const entry = fused.get(id);
      if (entry === undefined) fused.set(id, { item, score: contribution, bestRank: index, order: order++ });
      else {
        entry.score += contribution;
        entry.bestRank = Math.min(entry.bestRank, index);
      }
    });
  }
  return [...fused.values()]
    .sort(
      (left, right) => right.score - left.score || left.bestRank - right.bestRank || left.order - right.order,
    )
    .map(({ item, score }) => ({ item, score }));
}
