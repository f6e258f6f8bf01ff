type MaybePromise<T> = T | Promise<T>;

/**
 * Where computed embeddings are kept, keyed by `${embedder.id}:${contentHash}`. Anything with this
 * shape fits: the built-in LRU (one process) or `RedisEmbeddingCache` (`./redis`, shared by workers).
 * A `get` returns the vector exactly as it was `set` (the contract suite checks every number).
 * A miss is `undefined` or `null`; a cache failure must not fail ingestion (the service treats a
 * throwing `get` as a miss and ignores a throwing `set`).
 */
export interface EmbeddingCache {
  get(key: string): MaybePromise<readonly number[] | undefined | null>;
  set(key: string, vector: readonly number[]): MaybePromise<unknown>;
}
