/**
 * What the semantic cache needs from an embedding model. Shaped like `@ai-scale/retrieval`'s
 * `Embedder`, so its embedders plug in directly, without this package depending on retrieval.
 * `embed` returns one vector of `dimensions` numbers per input text, in order, and is deterministic
 * for a given `id` (the id names model and version: vectors of two ids are never compared).
 */
export interface CacheEmbedder {
  readonly id: string;
  readonly dimensions: number;
  embed(texts: string[]): Promise<number[][]>;
}
