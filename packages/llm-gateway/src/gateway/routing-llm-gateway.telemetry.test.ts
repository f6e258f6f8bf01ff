import { METRIC, SPAN } from '@ai-scale/telemetry';
import { createInMemoryTelemetry, type InMemoryTelemetry } from '@ai-scale/telemetry/testing';
import { FakeLlmProvider } from '../adapters/fake/fake-llm-provider';
import { ProviderUnavailableError } from '../errors/provider-unavailable.error';
import { ApproximateTokenCounter } from '../tokens/token-counter';
import type { CacheableRequest, CachedResponse, ResponseCacheHook } from '../ports/response-cache-hook';
import { RoutingLlmGateway } from './routing-llm-gateway';

describe('RoutingLlmGateway telemetry through the global OpenTelemetry API (@ai-scale/telemetry/testing)', () => {
  let telemetry: InMemoryTelemetry;
  beforeAll(() => {
    telemetry = createInMemoryTelemetry();
  });
  afterAll(() => telemetry.shutdown());

  it('emits the gateway span, per-attempt chat spans, and the GenAI client metrics', async () => {
    const primary = new FakeLlmProvider({
      name: 'primary',
      script: [new ProviderUnavailableError({ message: 'down' })],
    });
    const gateway = new RoutingLlmGateway({
      providers: [{ provider: primary }, { provider: new FakeLlmProvider({ name: 'secondary' }) }],
      models: [
        { id: 'gpt-4o-mini', provider: 'primary', tier: 'small', contextWindow: 128_000 },
        { id: 'claude-3-5-haiku', provider: 'secondary', tier: 'small', contextWindow: 128_000 },
      ],
      routes: { small: ['gpt-4o-mini', 'claude-3-5-haiku'], large: [] },
      tokenCounter: new ApproximateTokenCounter(),
    });
    const result = await gateway.chat({
      tenantId: 't1',
      requestId: 'r1',
      messages: [{ role: 'user', content: 'hello' }],
    });

    const [call] = telemetry.spansNamed(SPAN.llmGateway);
    expect(call?.attributes).toMatchObject({
      'gen_ai.provider.name': 'secondary',
      'gen_ai.usage.input_tokens': result.usage.promptTokens,
      'gen_ai.usage.cache_read.input_tokens': result.usage.cachedTokens,
      'ai_scale.llm.cost_usd': result.costUsd,
    });
    const failed = telemetry.spansNamed('chat gpt-4o-mini')[0];
    expect(failed).toMatchObject({ kind: 'client', parentSpanId: call?.spanId, status: { code: 'error' } });
    expect(failed?.attributes['error.type']).toBe('PROVIDER_UNAVAILABLE');
    expect(
      telemetry.spansNamed('chat claude-3-5-haiku')[0]?.attributes['gen_ai.response.finish_reasons'],
    ).toEqual(['stop']);

    const model = { 'gen_ai.provider.name': 'secondary', 'gen_ai.request.model': 'claude-3-5-haiku' };
    expect(
      await telemetry.metricValue(METRIC.genAiClientOperationDuration, {
        ...model,
        'gen_ai.operation.name': 'chat',
        'gen_ai.response.model': 'claude-3-5-haiku',
      }),
    ).toBe(1);
    const tokens = (await telemetry.collectMetrics()).get(METRIC.genAiClientTokenUsage) ?? [];
    const tokenSum = (type: string) =>
      tokens.find((point) => point.attributes['gen_ai.token.type'] === type)?.histogram?.sum;
    expect(tokenSum('input')).toBe(result.usage.promptTokens);
    expect(tokenSum('output')).toBe(result.usage.completionTokens);
    expect(await telemetry.metricValue(METRIC.llmCost, model)).toBeCloseTo(result.costUsd, 12);
    expect(await telemetry.metricValue(METRIC.llmFallbacks, model)).toBe(1);
    expect(await telemetry.metricValue(METRIC.llmBreakerState, { 'gen_ai.provider.name': 'primary' })).toBe(
      0,
    );
  });

  it('times model calls only: a response-cache hit adds no gen_ai.client.operation.duration point; a failure carries error.type', async () => {
    await telemetry.reset();
    const stored = new Map<string, CachedResponse>();
    const cache: ResponseCacheHook = {
      lookup: async (request: CacheableRequest) => {
        const value = stored.get(request.key);
        return value ? { kind: 'exact', value, similarity: 1 } : null;
      },
      store: async (request, value) => {
        stored.set(request.key, value);
      },
    };
    const gateway = new RoutingLlmGateway({
      providers: [{ provider: new FakeLlmProvider({ name: 'primary' }) }],
      models: [{ id: 'gpt-4o-mini', provider: 'primary', tier: 'small', contextWindow: 128_000 }],
      routes: { small: ['gpt-4o-mini'], large: [] },
      tokenCounter: new ApproximateTokenCounter(),
      cache,
    });
    const ask = { tenantId: 't1', messages: [{ role: 'user' as const, content: 'cached?' }] };
    await gateway.chat({ ...ask, requestId: 'c1' });
    const second = await gateway.chat({ ...ask, requestId: 'c2' });
    expect(second.cache).toBe('exact');
    expect(await telemetry.metricValue(METRIC.genAiClientOperationDuration)).toBe(1);

    const failing = new RoutingLlmGateway({
      providers: [
        {
          provider: new FakeLlmProvider({
            name: 'down',
            script: Array.from({ length: 20 }, () => new ProviderUnavailableError({ message: 'down' })),
          }),
        },
      ],
      models: [{ id: 'gpt-4o-mini', provider: 'down', tier: 'small', contextWindow: 128_000 }],
      routes: { small: ['gpt-4o-mini'], large: [] },
      tokenCounter: new ApproximateTokenCounter(),
      retry: { rounds: 1, baseDelayMs: 1 },
    });
    await expect(failing.chat({ ...ask, requestId: 'f1' })).rejects.toThrow();
    const points = (await telemetry.collectMetrics()).get(METRIC.genAiClientOperationDuration) ?? [];
    const failed = points.find((point) => point.attributes['error.type'] !== undefined);
    expect(failed?.attributes).toMatchObject({ 'gen_ai.operation.name': 'chat' });
    expect(String(failed?.attributes['error.type'])).toMatch(/^[A-Z_]+$/);
  });
});
