import { embeddingCacheContract } from '../testing';
import { LruEmbeddingCache } from './lru-embedding-cache';

describe('LruEmbeddingCache', () => {
  embeddingCacheContract({ describe, it }, () => new LruEmbeddingCache());

  it('evicts the least recently used entry beyond its bound', () => {
    const cache = new LruEmbeddingCache(2);
    cache.set('a', [1]);
    cache.set('b', [2]);
    cache.get('a');
    cache.set('c', [3]);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toEqual([1]);
    expect(cache.size).toBe(2);
  });
});
