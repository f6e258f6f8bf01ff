import { METRIC, SPAN } from '@ai-scale/telemetry';
import { createInMemoryTelemetry, type InMemoryTelemetry } from '@ai-scale/telemetry/testing';
import { FakeLlmProvider } from '../adapters/fake/fake-llm-provider';
import { ProviderUnavailableError } from '../errors/provider-unavailable.error';
import { ApproximateTokenCounter } from '../tokens/token-counter';
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
});
