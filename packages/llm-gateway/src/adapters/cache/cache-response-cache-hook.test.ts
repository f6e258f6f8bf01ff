import { MemoryKeyValueCache, MemoryVectorIndex, ResponseCache, VectorSemanticCache } from '@ai-scale/cache';
import { FakeLlmProvider } from '../fake/fake-llm-provider';
import { MemoryUsageLedger } from '../memory/memory-usage-ledger';
import { RoutingLlmGateway } from '../../gateway/routing-llm-gateway';
import { deterministicEmbedding } from '../../testing/fake-server-common';
import { ApproximateTokenCounter } from '../../tokens/token-counter';
import { CacheResponseCacheHook } from './cache-response-cache-hook';

describe('CacheResponseCacheHook with @ai-scale/cache (memory store, semantic layer)', () => {
  const embedder = {
    id: 'test-hash-64',
    dimensions: 64,
    embed: async (texts: string[]) => texts.map((text) => deterministicEmbedding(text, 64)),
  };

  function setup() {
    const cache = new ResponseCache({
      store: new MemoryKeyValueCache(),
      semantic: new VectorSemanticCache({ embedder, index: new MemoryVectorIndex({ dimensions: 64 }) }),
    });
    const provider = new FakeLlmProvider({ name: 'openai', respond: 'Refunds take five days.' });
    const ledger = new MemoryUsageLedger();
    const gateway = new RoutingLlmGateway({
      providers: [{ provider }],
      models: [{ id: 'gpt-4o', provider: 'openai', tier: 'small', contextWindow: 128_000 }],
      routes: { small: ['gpt-4o'], large: [] },
      cache: new CacheResponseCacheHook({ cache }),
      ledger,
      tokenCounter: new ApproximateTokenCounter(),
    });
    return { cache, provider, ledger, gateway };
  }
  const context = [{ id: 'p', documentId: 'billing', chunkId: 'c1', text: 'Refunds take five days.' }];
  const ask = (tenantId: string, content: string) => ({
    tenantId,
    requestId: `${tenantId}-${content}`,
    temperature: 0,
    messages: [{ role: 'user' as const, content }],
    context,
  });

  it('serves exact and semantic hits, per tenant, and records what they saved', async () => {
    const { provider, ledger, gateway } = setup();
    const first = await gateway.chat(ask('tenant-a', 'How long do refunds take?'));
    expect(first.cache).toBeNull();
    expect(first.costUsd).toBeGreaterThan(0);

    const exact = await gateway.chat(ask('tenant-a', 'How long do refunds take?'));
    expect(exact).toMatchObject({ cache: 'exact', costUsd: 0, content: first.content });
    const semantic = await gateway.chat(ask('tenant-a', 'how long do refunds take'));
    expect(semantic.cache).toBe('semantic');
    expect((await gateway.chat(ask('tenant-b', 'How long do refunds take?'))).cache).toBeNull();
    expect(provider.calls).toBe(2);

    const totals = await ledger.totals('tenant-a', 'day');
    expect(totals.savedCostUsd).toBeCloseTo(2 * first.costUsd, 12);
    expect(totals.savedTokens).toBe(2 * (first.usage.promptTokens + first.usage.completionTokens));
  });

  it('stops serving an answer when a document it relied on changes', async () => {
    const { cache, provider, gateway } = setup();
    await gateway.chat(ask('tenant-a', 'How long do refunds take?'));
    await cache.invalidateDocument('tenant-a', 'billing');
    expect((await gateway.chat(ask('tenant-a', 'How long do refunds take?'))).cache).toBeNull();
    expect(provider.calls).toBe(2);
  });

  it('does not cache sampled answers unless allowed', async () => {
    const { provider, gateway } = setup();
    await gateway.chat({ ...ask('tenant-a', 'q'), temperature: 0.8 });
    await gateway.chat({ ...ask('tenant-a', 'q'), temperature: 0.8 });
    expect(provider.calls).toBe(2);
  });
});
