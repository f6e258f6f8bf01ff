/**
 * Turns texts into vectors.
 * Guarantees an adapter must honour: `embed(texts)` returns exactly one vector per text, in input
 * order, each of length `dimensions`; the same `id` always means the same vector space (so
 * embeddings cached under (`id`, content hash) stay valid); failures throw `EmbeddingProviderError`
 * (`isRetryable` says whether trying again may help). An empty input returns `[]` without a call.
 */
export interface Embedder {
  /** Identifies the model and its settings, e.g. `local-hash-v1-384` or `openai:text-embedding-3-small`. */
  readonly id: string;
  readonly dimensions: number;
  embed(texts: readonly string[], options?: EmbedOptions): Promise<number[][]>;
}

export interface EmbedOptions {
  readonly signal?: AbortSignal;
}
