import { createInMemoryTelemetry, type InMemoryTelemetry } from '@ai-scale/telemetry/testing';
import { ATTR, METRIC, SPAN } from '@ai-scale/telemetry';
import { MemoryKeyValueCache } from '../adapters/memory/memory-key-value-cache';
import { MemoryVectorIndex } from '../adapters/memory/memory-vector-index';
import { VectorSemanticCache } from '../semantic/vector-semantic-cache';
import { HashingEmbedder, llmResponseCacheContract } from '../testing';
import { ManualClock } from '../testing/manual-clock';
import { CacheUnavailableError } from '../errors/cache-unavailable.error';
import type { CacheableRequest } from '../ports/response-cache';
import { ResponseCache } from './response-cache';

function userQuestion(content: string): CacheableRequest {
  return {
    tenantId: 't1',
    modelRoute: 'tier:small',
    promptVersion: 'p1',
    messages: [{ role: 'user', content }],
    temperature: 0,
  };
}

function createResponseCache(now: () => number, store = new MemoryKeyValueCache({ now })): ResponseCache {
  const embedder = new HashingEmbedder(256);
  return new ResponseCache({
    store,
    semantic: new VectorSemanticCache({
      embedder,
      index: new MemoryVectorIndex({ dimensions: 256 }),
      threshold: 0.75,
      now,
    }),
    defaultTtlMs: 60_000,
    now,
  });
}

llmResponseCacheContract(
  { describe, it, afterEach },
  { create: async (now) => createResponseCache(now), close: async () => undefined },
  { sharedAcrossInstances: false },
);

describe('ResponseCache metrics', () => {
  let telemetry: InMemoryTelemetry;
  beforeEach(() => {
    telemetry = createInMemoryTelemetry();
  });
  afterEach(() => telemetry.shutdown());

  it('counts hits by kind, misses, lookup durations, tokens and cost saved', async () => {
    const clock = new ManualClock();
    const cache = createResponseCache(clock.now);
    const request = userQuestion('How do I reset my password?');
    await cache.lookup(request);
    await cache.store(request, 'answer', { tokens: 300, costUsd: 0.002 });
    await cache.lookup(request);
    await cache.lookup({ ...request, messages: [{ role: 'user', content: 'how do i reset my password' }] });
    expect(await telemetry.metricValue(METRIC.cacheMisses)).toBe(1);
    expect(await telemetry.metricValue(METRIC.cacheHits, { [ATTR.cacheKind]: 'exact' })).toBe(1);
    expect(await telemetry.metricValue(METRIC.cacheHits, { [ATTR.cacheKind]: 'semantic' })).toBe(1);
    expect(await telemetry.metricValue(METRIC.cacheLookupDuration)).toBe(3);
    expect(await telemetry.metricValue(METRIC.cacheTokensSaved)).toBe(600);
    expect(await telemetry.metricValue(METRIC.cacheCostSaved)).toBeCloseTo(0.004, 6);
    const spans = telemetry.spansNamed(SPAN.cacheLookup);
    expect(spans.map((span) => [span.attributes[ATTR.cacheResult], span.attributes[ATTR.cacheKind]])).toEqual(
      [
        ['miss', undefined],
        ['hit', 'exact'],
        ['hit', 'semantic'],
      ],
    );
  });

  it('counts evictions of the memory adapter', async () => {
    const store = new MemoryKeyValueCache({ maxEntries: 2 });
    for (const key of ['a', 'b', 'c', 'd']) await store.set('ns', key, key);
    expect(await telemetry.metricValue(METRIC.cacheEvictions)).toBe(2);
  });

  it('fails open: a store outage is a miss and a refused store, never an error', async () => {
    const clock = new ManualClock();
    const store = new MemoryKeyValueCache({ now: clock.now });
    const cache = createResponseCache(clock.now, store);
    const request = userQuestion('q');
    const down = () => Promise.reject(new CacheUnavailableError('get'));
    store.get = down;
    store.getCounters = down;
    expect(await cache.lookup(request)).toBeNull();
    expect(await cache.store(request, 'x')).toEqual({ stored: false, reason: 'cache-unavailable' });
    expect(await telemetry.metricValue(METRIC.cacheMisses)).toBe(1);
  });

  it('rejects a namespace prefix the stores cannot hold', () => {
    expect(() => new ResponseCache({ store: new MemoryKeyValueCache(), namespacePrefix: 'a b' })).toThrow(
      expect.objectContaining({ code: 'INVALID_CACHE_OPTIONS' }),
    );
  });

  it('treats a semantic layer that fails as a miss', async () => {
    const clock = new ManualClock();
    const cache = new ResponseCache({
      store: new MemoryKeyValueCache({ now: clock.now }),
      semantic: {
        lookup: () => Promise.reject(new Error('embedding service down')),
        explain: () => Promise.reject(new Error('embedding service down')),
        store: () => Promise.reject(new Error('embedding service down')),
        clearTenant: async () => 0,
        close: async () => undefined,
      },
      now: clock.now,
    });
    const request = userQuestion('q');
    expect(await cache.lookup(request)).toBeNull();
    expect(await cache.store(request, 'answer')).toMatchObject({ stored: true });
    expect((await cache.lookup(request))?.kind).toBe('exact');
  });
});
