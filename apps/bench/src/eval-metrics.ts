/** IR metrics as BEIR/trec_eval compute them: graded gains, log2 discount, ideal DCG from the qrels. */

/** Relevance judgements of one query: document id → graded score (> 0 is relevant). */
export type Judgements = ReadonlyMap<string, number>;

export function ndcgAt(ranked: readonly string[], judgements: Judgements, k: number): number {
  let dcg = 0;
  ranked.slice(0, k).forEach((id, index) => {
    dcg += (judgements.get(id) ?? 0) / Math.log2(index + 2);
  });
  const ideal = [...judgements.values()]
    .filter((score) => score > 0)
    .sort((a, b) => b - a)
    .slice(0, k)
    .reduce((sum, score, index) => sum + score / Math.log2(index + 2), 0);
  return ideal === 0 ? 0 : dcg / ideal;
}

export function recallAt(ranked: readonly string[], judgements: Judgements, k: number): number {
  const relevant = [...judgements].filter(([, score]) => score > 0).map(([id]) => id);
  if (relevant.length === 0) return 0;
  const top = new Set(ranked.slice(0, k));
  return relevant.filter((id) => top.has(id)).length / relevant.length;
}

export function mrrAt(ranked: readonly string[], judgements: Judgements, k: number): number {
  const index = ranked.slice(0, k).findIndex((id) => (judgements.get(id) ?? 0) > 0);
  return index < 0 ? 0 : 1 / (index + 1);
}

/** Chunk hits → document ranking: a document ranks at its best chunk. */
export function documentRanking(documentIds: readonly string[]): string[] {
  return [...new Set(documentIds)];
}
