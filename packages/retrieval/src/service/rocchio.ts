/**
 * Rocchio feedback in vector space (Rocchio 1971, positive feedback only): the query vector plus
 * `beta` times the centroid of the feedback vectors (the top first-pass hits), L2-normalized. It
 * moves the vector leg towards words that co-occur with the query's in this tenant's own top
 * documents, which a lexical hashed embedding cannot know on its own. Returns the query unchanged
 * when there is no feedback.
 */
export function rocchioVector(
  query: readonly number[],
  feedback: readonly (readonly number[])[],
  beta: number,
): number[] {
  const result = [...query];
  const usable = feedback.filter((vector) => vector.length === query.length);
  if (usable.length === 0 || !(beta > 0)) return result;
  const scale = beta / usable.length;
  for (const vector of usable) {
    for (let i = 0; i < result.length; i++) result[i] = (result[i] as number) + scale * (vector[i] as number);
  }
  let norm = 0;
  for (const value of result) norm += value * value;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < result.length; i++) result[i] = (result[i] as number) / norm;
  return result;
}
