import { MemoryVectorIndex } from '../adapters/memory/memory-vector-index';
import { HashingEmbedder } from '../testing/hashing-embedder';
import { ManualClock } from '../testing/manual-clock';
import { VectorSemanticCache } from './vector-semantic-cache';

function setup(threshold = 0.6) {
  const clock = new ManualClock();
  const embedder = new HashingEmbedder(256);
  const cache = new VectorSemanticCache({
    embedder,
    index: new MemoryVectorIndex({ dimensions: embedder.dimensions }),
    threshold,
    now: clock.now,
    defaultTtlMs: 1000,
  });
  return { cache, clock };
}

const scope = { tenantId: 'tenant-a', partition: 'route/prompt' };

describe('VectorSemanticCache', () => {
  it('serves a close paraphrase with its similarity', async () => {
    const { cache } = setup();
    await cache.store(scope, 'How do I reset my password?', 'answer');
    const hit = await cache.lookup(scope, 'how do i reset my password please');
    expect(hit).toMatchObject({ value: 'answer', matchedQuery: 'How do I reset my password?' });
    expect(hit!.similarity).toBeGreaterThanOrEqual(0.6);
  });

  it('misses below the threshold', async () => {
    const { cache } = setup(0.99);
    await cache.store(scope, 'How do I reset my password?', 'answer');
    expect(await cache.explain(scope, 'password reset steps')).toMatchObject({
      hit: null,
      rejection: 'below-threshold',
    });
  });

  it('refuses a near miss that differs in a number even when the vectors are close', async () => {
    const { cache } = setup(0.5);
    await cache.store(scope, 'Can I get a refund within 14 days?', '14-day answer');
    const result = await cache.explain(scope, 'Can I get a refund within 30 days?');
    expect(result.hit).toBeNull();
    expect(result.rejection).toBe('key-terms-differ');
    expect(result.bestSimilarity).toBeGreaterThan(0.7);
  });

  it('serves the best candidate that passes the guard, not just the nearest', async () => {
    const { cache } = setup(0.5);
    await cache.store(scope, 'What is the price for two seats?', 'two');
    await cache.store(scope, 'What is the price of 3 seats?', 'three');
    expect((await cache.lookup(scope, 'What is the price for three seats?'))?.value).toBe('three');
  });

  it('never serves an expired entry', async () => {
    const { cache, clock } = setup();
    await cache.store(scope, 'How do I reset my password?', 'answer', { ttlMs: 100 });
    clock.advance(100);
    expect(await cache.explain(scope, 'How do I reset my password?')).toMatchObject({
      hit: null,
      rejection: 'expired',
    });
  });

  it('keeps tenants and partitions apart, and clears one tenant', async () => {
    const { cache } = setup();
    await cache.store(scope, 'How do I reset my password?', 'A');
    await cache.store(
      { tenantId: 'tenant-b', partition: scope.partition },
      'How do I reset my password?',
      'B',
    );
    expect(
      (
        await cache.lookup(
          { tenantId: 'tenant-b', partition: scope.partition },
          'How do I reset my password?',
        )
      )?.value,
    ).toBe('B');
    expect(
      await cache.lookup({ tenantId: 'tenant-a', partition: 'other' }, 'How do I reset my password?'),
    ).toBeNull();
    expect(await cache.clearTenant('tenant-a')).toBe(1);
    expect(await cache.lookup(scope, 'How do I reset my password?')).toBeNull();
    expect(
      (
        await cache.lookup(
          { tenantId: 'tenant-b', partition: scope.partition },
          'How do I reset my password?',
        )
      )?.value,
    ).toBe('B');
  });

  it('rejects bad input with typed errors', async () => {
    const { cache } = setup();
    await expect(cache.lookup({ tenantId: '', partition: 'p' }, 'q')).rejects.toMatchObject({
      code: 'INVALID_CACHE_KEY',
    });
    await expect(cache.lookup(scope, '  ')).rejects.toMatchObject({ code: 'INVALID_CACHE_KEY' });
    await expect(cache.store(scope, 'q', undefined as never)).rejects.toMatchObject({
      code: 'INVALID_CACHE_VALUE',
    });
    expect(
      () =>
        new VectorSemanticCache({
          embedder: new HashingEmbedder(),
          index: new MemoryVectorIndex({ dimensions: 256 }),
          threshold: 2,
        }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_CACHE_OPTIONS' }));
  });
});
