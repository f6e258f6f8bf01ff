import { LRUCache } from 'lru-cache';
import type { EmbeddingCache } from '../ports';

/**
 * The default embedding cache: an in-process LRU (lru-cache) bounded by entry count (a 384-d
 * vector is ~3 KiB as a JS array, so the default 10,000 entries hold ~30 MiB). A read makes an
 * entry the most recently used; past the bound the least recently used goes first.
 */
export class LruEmbeddingCache implements EmbeddingCache {
  private readonly entries: LRUCache<string, readonly number[]>;

  constructor(maxEntries = 10_000) {
    this.entries = new LRUCache({ max: maxEntries });
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): readonly number[] | undefined {
    return this.entries.get(key);
  }

  set(key: string, vector: readonly number[]): void {
    this.entries.set(key, vector);
  }
}
