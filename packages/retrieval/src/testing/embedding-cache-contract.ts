import { deepStrictEqual, strictEqual } from 'node:assert/strict';
import type { EmbeddingCache } from '../ports';

interface TestFunctions {
  readonly describe: (name: string, body: () => void) => void;
  readonly it: (name: string, body: () => Promise<void>) => void;
}

export interface EmbeddingCacheContractOptions {
  /**
   * A second cache over the same storage as the last one `createCache` returned (another process's
   * view): declared by shared caches (Redis), absent for in-process ones (the LRU).
   */
  readonly createPeer?: () => Promise<EmbeddingCache> | EmbeddingCache;
}

/**
 * The contract every `EmbeddingCache` meets: a miss is `undefined` or `null`; what was set comes
 * back number for number (no precision lost); a set overwrites; keys are independent (one model's
 * vector is not another's). A shared cache also shows its entries to a peer. `createCache` returns
 * a cache over a fresh, empty namespace.
 */
export function embeddingCacheContract(
  test: TestFunctions,
  createCache: () => Promise<EmbeddingCache> | EmbeddingCache,
  options: EmbeddingCacheContractOptions = {},
): void {
  const { describe, it } = test;
  const vector = [0.1, -0.2, 1 / 3, Math.PI, -0, 1e-12, 123456.789];
  describe('EmbeddingCache contract', () => {
    it('misses on an unknown key, then returns the vector exactly as set', async () => {
      const cache = await createCache();
      strictEqual((await cache.get('model-a:hash-1')) ?? undefined, undefined);
      await cache.set('model-a:hash-1', vector);
      deepStrictEqual([...((await cache.get('model-a:hash-1')) ?? [])], vector);
    });

    it('overwrites on set and keeps keys apart (model and hash are both part of the key)', async () => {
      const cache = await createCache();
      await cache.set('model-a:hash-1', [1, 2]);
      await cache.set('model-a:hash-1', [3, 4]);
      await cache.set('model-b:hash-1', [5, 6]);
      deepStrictEqual([...((await cache.get('model-a:hash-1')) ?? [])], [3, 4]);
      deepStrictEqual([...((await cache.get('model-b:hash-1')) ?? [])], [5, 6]);
      strictEqual((await cache.get('model-a:hash-2')) ?? undefined, undefined);
    });

    const createPeer = options.createPeer;
    if (createPeer) {
      it('shows an entry set through one instance to another over the same storage', async () => {
        const cache = await createCache();
        const peer = await createPeer();
        await cache.set('model-a:shared', vector);
        deepStrictEqual([...((await peer.get('model-a:shared')) ?? [])], vector);
      });
    }
  });
}
