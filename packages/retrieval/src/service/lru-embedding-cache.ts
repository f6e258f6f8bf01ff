import type { EmbeddingCache } from '../ports';

/**
 * The default embedding cache: an in-process LRU bounded by entry count (a 384-d vector is ~3 KiB
 * as a JS array, so the default 10,000 entries hold ~30 MiB). A `Map` keeps insertion order, so
 * re-inserting on read makes the first key the least recently used.
 */
export class LruEmbeddingCache implements EmbeddingCache {
  private readonly entries = new Map<string, readonly number[]>();

  constructor(private readonly maxEntries = 10_000) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string): readonly number[] | undefined {
    const vector = this.entries.get(key);
    if (vector !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, vector);
    }
    return vector;
  }

  set(key: string, vector: readonly number[]): void {
    this.entries.delete(key);
    this.entries.set(key, vector);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }
}
