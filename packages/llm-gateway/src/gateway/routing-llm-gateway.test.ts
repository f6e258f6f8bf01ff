import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  BasicTracerProvider,
} from '@opentelemetry/sdk-trace-base';
import { MeterProvider, MetricReader, type MetricData } from '@opentelemetry/sdk-metrics';
import { METRIC, SPAN } from '@ai-scale/telemetry';
import { FakeLlmProvider } from '../adapters/fake/fake-llm-provider';
import { MemoryUsageLedger } from '../adapters/memory/memory-usage-ledger';
import { ProviderRateLimitedError } from '../errors/provider-rate-limited.error';
import { ProviderUnavailableError } from '../errors/provider-unavailable.error';
import { PriceTable } from '../pricing/price-table';
import type { GatewayChatRequest, GatewayStreamEvent } from '../ports/llm-gateway';
import type { CacheableRequest, CachedResponse, ResponseCacheHook } from '../ports/response-cache-hook';
import { ApproximateTokenCounter } from '../tokens/token-counter';
import {
  RoutingLlmGateway,
  type ModelDefinition,
  type RoutingLlmGatewayOptions,
} from './routing-llm-gateway';

class TestMetricReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
  async metrics(): Promise<Map<string, MetricData>> {
    const { resourceMetrics } = await this.collect();
    const byName = new Map<string, MetricData>();
    for (const scope of resourceMetrics.scopeMetrics)
      for (const metric of scope.metrics) byName.set(metric.descriptor.name, metric);
    return byName;
  }
}

const MODELS: ModelDefinition[] = [
  { id: 'gpt-4o-mini', provider: 'primary', tier: 'small', contextWindow: 128_000 },
  { id: 'claude-3-5-haiku', provider: 'secondary', tier: 'small', contextWindow: 200_000 },
  { id: 'gpt-4o', provider: 'primary', tier: 'large', contextWindow: 128_000 },
  { id: 'claude-sonnet-4', provider: 'secondary', tier: 'large', contextWindow: 200_000 },
];

let sequence = 0;
const ask = (content: string, extra: Partial<GatewayChatRequest> = {}): GatewayChatRequest => ({
  tenantId: 'tenant-a',
  requestId: `req-${++sequence}`,
  messages: [{ role: 'user', content }],
  ...extra,
});

interface Setup {
  gateway: RoutingLlmGateway;
  primary: FakeLlmProvider;
  secondary: FakeLlmProvider;
  ledger: MemoryUsageLedger;
  sleeps: number[];
  clock: { now: number };
}

function setup(
  options: Partial<RoutingLlmGatewayOptions> & {
    primary?: FakeLlmProvider;
    secondary?: FakeLlmProvider;
  } = {},
): Setup {
  const primary = options.primary ?? new FakeLlmProvider({ name: 'primary', respond: 'from primary' });
  const secondary =
    options.secondary ?? new FakeLlmProvider({ name: 'secondary', respond: 'from secondary' });
  const ledger = new MemoryUsageLedger();
  const sleeps: number[] = [];
  const clock = { now: Date.parse('2026-03-10T12:00:00Z') };
  const gateway = new RoutingLlmGateway({
    providers: [{ provider: primary }, { provider: secondary }],
    models: MODELS,
    routes: { small: ['gpt-4o-mini', 'claude-3-5-haiku'], large: ['gpt-4o', 'claude-sonnet-4'] },
    ledger,
    tokenCounter: new ApproximateTokenCounter(),
    now: () => clock.now,
    // Virtual time: back-offs are recorded and advance the clock instead of waiting.
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.now += ms;
    },
    random: () => 1,
    ...options,
  });
  return { gateway, primary, secondary, ledger, sleeps, clock };
}

describe('RoutingLlmGateway routing', () => {
  it('sends simple requests to the small tier and complex ones to the large tier', async () => {
    const { gateway, primary } = setup();
    const simple = await gateway.chat(ask('What are your opening hours?'));
    expect(simple).toMatchObject({
      tier: 'small',
      model: 'gpt-4o-mini',
      provider: 'primary',
      content: 'from primary',
    });
    expect(primary.lastRequest?.model).toBe('gpt-4o-mini');

    expect((await gateway.chat(ask('Compare plan A and plan B step by step'))).model).toBe('gpt-4o');
    const withTools = await gateway.chat(
      ask('hi', { tools: [{ name: 'lookup', description: 'look up', parameters: { type: 'object' } }] }),
    );
    expect(withTools.tier).toBe('large');
    expect((await gateway.chat(ask('x'.repeat(5_000)))).tier).toBe('large');
  });

  it('honours an explicit model or tier, and the configured rule set', async () => {
    const { gateway } = setup({ tierRules: { keywords: ['contract'], toolsPresent: false } });
    expect((await gateway.chat(ask('hello', { model: 'claude-sonnet-4' }))).model).toBe('claude-sonnet-4');
    expect((await gateway.chat(ask('hello', { tier: 'large' }))).model).toBe('gpt-4o');
    expect((await gateway.chat(ask('review this contract'))).tier).toBe('large');
    expect((await gateway.chat(ask('compare these'))).tier).toBe('small');
  });

  it('rejects malformed requests with InvalidLlmRequestError before calling anyone', async () => {
    const { gateway, primary } = setup();
    await expect(gateway.chat({ tenantId: 't', requestId: 'r', messages: [] })).rejects.toMatchObject({
      code: 'INVALID_LLM_REQUEST',
    });
    await expect(gateway.chat(ask('x', { model: 'nope' }))).rejects.toMatchObject({
      code: 'INVALID_LLM_REQUEST',
    });
    await expect(gateway.chat(ask('x', { temperature: 7 }))).rejects.toMatchObject({
      code: 'INVALID_LLM_REQUEST',
    });
    expect(primary.calls).toBe(0);
  });
});

describe('RoutingLlmGateway fallbacks, retries and breakers', () => {
  it('falls back to the next provider when the primary fails', async () => {
    const primary = new FakeLlmProvider({
      name: 'primary',
      script: [new ProviderUnavailableError({ message: '503' })],
    });
    const { gateway } = setup({ primary });
    const result = await gateway.chat(ask('hello'));
    expect(result).toMatchObject({ provider: 'secondary', model: 'claude-3-5-haiku', fallbacks: 1 });
    expect(result.attempts.map((attempt) => [attempt.provider, attempt.outcome])).toEqual([
      ['primary', 'PROVIDER_UNAVAILABLE'],
      ['secondary', 'ok'],
    ]);
  });

  it('waits for the Retry-After the provider sent before retrying it', async () => {
    const primary = new FakeLlmProvider({
      name: 'primary',
      script: [new ProviderRateLimitedError({ message: '429', retryAfterMs: 1_500 })],
    });
    const { gateway, sleeps } = setup({ primary, routes: { small: ['gpt-4o-mini'], large: ['gpt-4o'] } });
    const result = await gateway.chat(ask('hello'));
    expect(result.provider).toBe('primary');
    expect(sleeps).toEqual([1_500]);
    expect(result.attempts.map((attempt) => attempt.outcome)).toEqual(['PROVIDER_RATE_LIMITED', 'ok']);
  });

  it('keeps every caller off a provider during its Retry-After, and gives up on one that is too long', async () => {
    const primary = new FakeLlmProvider({
      name: 'primary',
      script: [new ProviderRateLimitedError({ message: '429', retryAfterMs: 60_000 })],
    });
    const { gateway, sleeps } = setup({ primary });
    expect((await gateway.chat(ask('one'))).provider).toBe('secondary');
    expect((await gateway.chat(ask('two'))).provider).toBe('secondary');
    expect(primary.calls).toBe(1);

    const alone = setup({
      primary: new FakeLlmProvider({
        name: 'primary',
        script: [new ProviderRateLimitedError({ message: '429', retryAfterMs: 60_000 })],
      }),
      routes: { small: ['gpt-4o-mini'], large: ['gpt-4o'] },
    });
    await expect(alone.gateway.chat(ask('three'))).rejects.toMatchObject({ code: 'ALL_PROVIDERS_FAILED' });
    expect(alone.sleeps).toEqual([]);
    expect(sleeps).toEqual([]);
  });

  it('retries with back-off when the whole route fails once', async () => {
    const primary = new FakeLlmProvider({
      name: 'primary',
      script: [new ProviderUnavailableError({ message: 'a' })],
    });
    const secondary = new FakeLlmProvider({
      name: 'secondary',
      script: [new ProviderUnavailableError({ message: 'b' })],
    });
    const { gateway, sleeps } = setup({ primary, secondary, retry: { baseDelayMs: 200 } });
    const result = await gateway.chat(ask('hello'));
    expect(result.provider).toBe('primary');
    expect(sleeps).toEqual([200]);
    expect(result.attempts).toHaveLength(3);
  });

  it('opens a provider’s breaker after consecutive failures and half-opens it later', async () => {
    const failure = (): Error => new ProviderUnavailableError({ message: 'down' });
    const primary = new FakeLlmProvider({ name: 'primary', script: [failure(), failure()] });
    const now = jest.spyOn(Date, 'now');
    let wall = 1_000_000;
    now.mockImplementation(() => wall);
    try {
      const { gateway } = setup({
        primary,
        providers: [
          { provider: primary, breaker: { consecutiveFailures: 2, halfOpenAfterMs: 5_000 } },
          { provider: new FakeLlmProvider({ name: 'secondary' }) },
        ],
      });
      await gateway.chat(ask('1'));
      expect(gateway.breakerStates().primary).toBe('closed');
      await gateway.chat(ask('2'));
      expect(gateway.breakerStates().primary).toBe('open');

      const skipped = await gateway.chat(ask('3'));
      expect(skipped.attempts[0]?.outcome).toBe('CIRCUIT_OPEN');
      expect(primary.calls).toBe(2);

      wall += 5_001;
      const probe = await gateway.chat(ask('4'));
      expect(probe.provider).toBe('primary');
      expect(primary.calls).toBe(3);
      expect(gateway.breakerStates().primary).toBe('closed');
    } finally {
      now.mockRestore();
    }
  });

  it('answers CircuitOpenError when every breaker of the route is open (whenAllBreakersOpen: fail)', async () => {
    const down = (name: string): FakeLlmProvider =>
      new FakeLlmProvider({
        name,
        failureRate: 1,
        failWith: () => new ProviderUnavailableError({ message: 'down' }),
      });
    const primary = down('primary');
    const secondary = down('secondary');
    const { gateway } = setup({
      primary,
      secondary,
      retry: { rounds: 1 },
      whenAllBreakersOpen: 'fail',
      providers: [
        { provider: primary, breaker: { consecutiveFailures: 1, halfOpenAfterMs: 60_000 } },
        { provider: secondary, breaker: { consecutiveFailures: 1, halfOpenAfterMs: 60_000 } },
      ],
    });
    await expect(gateway.chat(ask('1'))).rejects.toMatchObject({ code: 'ALL_PROVIDERS_FAILED' });
    await expect(gateway.chat(ask('2'))).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' });
  });

  it('sends one attempt around the breaker when every breaker of the route is open (default)', async () => {
    const down = (name: string): FakeLlmProvider =>
      new FakeLlmProvider({
        name,
        script: [new ProviderUnavailableError({ message: 'down' })],
        respond: `from ${name}`,
      });
    const primary = down('primary');
    const secondary = down('secondary');
    const { gateway } = setup({
      primary,
      secondary,
      retry: { rounds: 1 },
      providers: [
        { provider: primary, breaker: { consecutiveFailures: 1, halfOpenAfterMs: 60_000 } },
        { provider: secondary, breaker: { consecutiveFailures: 1, halfOpenAfterMs: 60_000 } },
      ],
    });
    await expect(gateway.chat(ask('1'))).rejects.toMatchObject({ code: 'ALL_PROVIDERS_FAILED' });
    expect(gateway.breakerStates()).toEqual({ primary: 'open', secondary: 'open' });
    const rescued = await gateway.chat(ask('2'));
    expect(rescued.content).toBe('from primary');
    expect(rescued.attempts.map((attempt) => attempt.outcome)).toEqual([
      'CIRCUIT_OPEN',
      'CIRCUIT_OPEN',
      'ok',
    ]);
  });

  it('also goes around an open breaker when the other models are only refused locally (Retry-After)', async () => {
    const primary = new FakeLlmProvider({
      name: 'primary',
      script: [new ProviderRateLimitedError({ message: '429', retryAfterMs: 60_000 })],
    });
    const secondary = new FakeLlmProvider({
      name: 'secondary',
      script: [new ProviderUnavailableError({ message: 'down' })],
      respond: 'from secondary',
    });
    const { gateway } = setup({
      primary,
      secondary,
      retry: { rounds: 1 },
      providers: [
        { provider: primary },
        { provider: secondary, breaker: { consecutiveFailures: 1, halfOpenAfterMs: 60_000 } },
      ],
    });
    await expect(gateway.chat(ask('1'))).rejects.toMatchObject({ code: 'ALL_PROVIDERS_FAILED' });
    const rescued = await gateway.chat(ask('2'));
    expect(rescued.provider).toBe('secondary');
    expect(rescued.attempts.map((attempt) => attempt.outcome)).toEqual([
      'PROVIDER_RATE_LIMITED',
      'CIRCUIT_OPEN',
      'ok',
    ]);
    expect(primary.calls).toBe(1);
  });

  it('times out a hung attempt and falls back, and stops at the overall deadline', async () => {
    const hung = new FakeLlmProvider({ name: 'primary', latencyMs: 60_000 });
    const { gateway } = setup({ primary: hung, attemptTimeoutMs: 20 });
    const result = await gateway.chat(ask('hello'));
    expect(result.provider).toBe('secondary');
    expect(result.attempts[0]?.outcome).toBe('PROVIDER_TIMEOUT');

    const slowEverywhere = setup({
      primary: new FakeLlmProvider({ name: 'primary', latencyMs: 60_000 }),
      secondary: new FakeLlmProvider({ name: 'secondary', latencyMs: 60_000 }),
    });
    const error = await slowEverywhere.gateway
      .chat(ask('hello', { deadlineMs: 25 }))
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'PROVIDER_TIMEOUT' });
    expect((error as Error).message).toContain('deadline');
  });

  it('stops promptly when the caller aborts, even if the provider ignores the signal', async () => {
    const stubborn = new FakeLlmProvider({ name: 'primary', latencyMs: 60_000 });
    stubborn.chat = () => new Promise(() => undefined);
    const { gateway } = setup({ primary: stubborn });
    const controller = new AbortController();
    const pending = gateway.chat(ask('hello', { signal: controller.signal }));
    controller.abort();
    await expect(pending).rejects.toMatchObject({
      code: 'PROVIDER_TIMEOUT',
      message: 'the caller aborted the call',
    });
  });

  it('limits requests per minute per provider (token bucket) by failing over', async () => {
    const primary = new FakeLlmProvider({ name: 'primary' });
    const { gateway } = setup({
      primary,
      providers: [
        { provider: primary, limits: { rpm: 1 } },
        { provider: new FakeLlmProvider({ name: 'secondary' }) },
      ],
    });
    expect((await gateway.chat(ask('1'))).provider).toBe('primary');
    expect((await gateway.chat(ask('2'))).provider).toBe('secondary');
  });

  it('limits tokens per minute per provider (token bucket) by failing over', async () => {
    const primary = new FakeLlmProvider({ name: 'primary' });
    const { gateway } = setup({
      primary,
      providers: [
        { provider: primary, limits: { tpm: 500 } },
        { provider: new FakeLlmProvider({ name: 'secondary' }) },
      ],
    });
    // Each call reserves its prompt estimate plus maxTokens (300) against the 500 tokens per minute.
    expect((await gateway.chat(ask('1', { maxTokens: 300 }))).provider).toBe('primary');
    const second = await gateway.chat(ask('2', { maxTokens: 300 }));
    expect(second.provider).toBe('secondary');
    expect(second.attempts[0]?.outcome).toBe('PROVIDER_RATE_LIMITED');
  });

  it('limits concurrency per provider (bulkhead) by failing over', async () => {
    const primary = new FakeLlmProvider({ name: 'primary', latencyMs: 30 });
    const { gateway } = setup({
      primary,
      providers: [
        { provider: primary, limits: { concurrency: 1 } },
        { provider: new FakeLlmProvider({ name: 'secondary' }) },
      ],
    });
    const results = await Promise.all([gateway.chat(ask('1')), gateway.chat(ask('2'))]);
    expect(results.map((result) => result.provider).sort()).toEqual(['primary', 'secondary']);
  });
});

describe('RoutingLlmGateway cost, budgets and ledger', () => {
  it('computes the cost of every call from the price table and records it', async () => {
    const { gateway, ledger } = setup();
    const result = await gateway.chat(ask('What is the premium price?'));
    expect(result.usage.promptTokens).toBeGreaterThan(0);
    expect(result.costUsd).toBeCloseTo(new PriceTable().cost('gpt-4o-mini', result.usage), 15);
    expect(result.costUsd).toBeCloseTo(
      (result.usage.promptTokens * 0.15 + result.usage.completionTokens * 0.6) / 1e6,
      15,
    );
    expect(ledger.all()).toEqual([
      expect.objectContaining({
        tenantId: 'tenant-a',
        requestId: result.requestId,
        model: 'gpt-4o-mini',
        costUsd: result.costUsd,
      }),
    ]);
  });

  it('rejects a tenant over its daily budget with BudgetExceededError, without calling a provider', async () => {
    const { gateway, ledger, primary, clock } = setup({
      budgets: (tenant) => (tenant === 'tenant-a' ? { dailyUsd: 0.01 } : undefined),
    });
    await ledger.record({
      tenantId: 'tenant-a',
      requestId: 'old',
      at: new Date(clock.now),
      provider: 'primary',
      model: 'gpt-4o',
      promptTokens: 1,
      completionTokens: 1,
      cachedTokens: 0,
      costUsd: 0.02,
      cacheKind: null,
      savedTokens: 0,
      savedCostUsd: 0,
    });
    const error = await gateway.chat(ask('hello')).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'BUDGET_EXCEEDED', period: 'day', limitUsd: 0.01, spentUsd: 0.02 });
    expect(primary.calls).toBe(0);
    expect((await gateway.chat(ask('hello', { tenantId: 'tenant-b' }))).provider).toBe('primary');
    clock.now += 24 * 3_600_000;
    expect((await gateway.chat(ask('next day'))).provider).toBe('primary');
  });

  it('downgrades a large-tier call to the small tier when only the small tier fits the budget', async () => {
    const { gateway, ledger, clock } = setup({ budgets: () => ({ monthlyUsd: 1, onExceeded: 'downgrade' }) });
    // 0.005 USD left: the large route's worst case (1,024 output tokens on claude-sonnet-4 ≈ 0.0154 USD)
    // does not fit, the small route's (claude-3-5-haiku ≈ 0.0041 USD) does.
    await ledger.record({
      tenantId: 'tenant-a',
      requestId: 'old',
      at: new Date(clock.now - 3 * 24 * 3_600_000),
      provider: 'primary',
      model: 'gpt-4o',
      promptTokens: 1,
      completionTokens: 1,
      cachedTokens: 0,
      costUsd: 0.995,
      cacheKind: null,
      savedTokens: 0,
      savedCostUsd: 0,
    });
    const result = await gateway.chat(ask('hello', { tier: 'large' }));
    expect(result).toMatchObject({ tier: 'small', model: 'gpt-4o-mini', downgraded: true });
    await expect(gateway.chat(ask('hello', { tier: 'small', maxTokens: 2_000 }))).rejects.toMatchObject({
      code: 'BUDGET_EXCEEDED',
      period: 'month',
    });
  });

  it('reserves the worst case before the call, so concurrent calls never pass the budget together', async () => {
    const primary = new FakeLlmProvider({ name: 'primary', respond: 'from primary', latencyMs: 20 });
    // No fallback: the reservation prices the most expensive model the call may reach.
    const { gateway, ledger } = setup({
      primary,
      budgets: () => ({ dailyUsd: 0.05 }),
      fallbacks: { 'gpt-4o-mini': [] },
    });
    // gpt-4o-mini worst case with maxTokens 10,000: ~0.006 USD, so 8 fit in 0.05 USD.
    const outcomes = await Promise.allSettled(
      Array.from({ length: 50 }, () =>
        gateway.chat(ask('hello', { model: 'gpt-4o-mini', maxTokens: 10_000 })),
      ),
    );
    const admitted = outcomes.filter((outcome) => outcome.status === 'fulfilled').length;
    expect(admitted).toBe(8);
    expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toHaveLength(42);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected')
        expect(outcome.reason).toMatchObject({ code: 'BUDGET_EXCEEDED', period: 'day' });
    }
    expect(primary.calls).toBe(8);
    // The worst case is what the provider is allowed to produce: maxTokens goes on the wire.
    expect(primary.lastRequest?.maxTokens).toBe(10_000);
    const spent = (await ledger.totals('tenant-a', 'day', new Date(Date.parse('2026-03-10T12:00:00Z'))))
      .costUsd;
    expect(spent).toBeLessThanOrEqual(0.05);
    // Settled: the actual cost was tiny, so the rest was released and the next call fits again.
    await expect(
      gateway.chat(ask('again', { model: 'gpt-4o-mini', maxTokens: 10_000 })),
    ).resolves.toBeDefined();
  });

  it('caps the output at the reserved tokens when the request sets none, and counts request budgets', async () => {
    const { gateway, primary } = setup({ budgets: () => ({ monthlyUsd: 100 }) });
    await gateway.chat(ask('hello', { model: 'gpt-4o-mini' }));
    expect(primary.lastRequest?.maxTokens).toBe(1_024);
    const run = { key: 'run:r1', limitUsd: 0.001, spentUsd: 0.0009 };
    await expect(gateway.chat(ask('hello', { model: 'gpt-4o-mini', budgets: [run] }))).rejects.toMatchObject({
      code: 'BUDGET_EXCEEDED',
      period: 'budget',
      details: expect.objectContaining({ budget: 'budget:run:r1' }),
    });
  });

  it('skips route models whose worst-case cost exceeds the request’s maxCostUsd', async () => {
    const { gateway, primary } = setup();
    // gpt-4o: 1,000 output tokens cost 0.01 USD; claude-sonnet-4: 0.015 USD.
    const result = await gateway.chat(ask('hello', { tier: 'large', maxTokens: 1_000, maxCostUsd: 0.012 }));
    expect(result.model).toBe('gpt-4o');
    const cheapOnly = await gateway.chat(
      ask('hello', { model: 'claude-sonnet-4', maxTokens: 1_000, maxCostUsd: 0.012 }),
    );
    expect(cheapOnly.model).toBe('gpt-4o');
    const callsBefore = primary.calls;
    await expect(
      gateway.chat(ask('hello', { tier: 'large', maxTokens: 1_000, maxCostUsd: 0.001 })),
    ).rejects.toMatchObject({
      code: 'BUDGET_EXCEEDED',
      period: 'request',
    });
    expect(primary.calls).toBe(callsBefore);
  });

  it('answers from the response cache, recording the tokens and cost it saved', async () => {
    const stored = new Map<string, CachedResponse>();
    const cache: ResponseCacheHook = {
      lookup: async (request: CacheableRequest) => {
        const value = stored.get(`${request.tenantId}|${request.target}|${request.key}`);
        return value ? { kind: 'exact', value, similarity: 1 } : null;
      },
      store: async (request, value) => {
        stored.set(`${request.tenantId}|${request.target}|${request.key}`, value);
      },
    };
    const { gateway, ledger, primary, clock } = setup({
      cache,
      models: MODELS.map((model) => ({ ...model })),
    });
    const first = await gateway.chat(ask('What is the refund policy?'));
    const second = await gateway.chat(ask('What is the refund policy?'));
    expect(primary.calls).toBe(1);
    expect(second).toMatchObject({ cache: 'exact', costUsd: 0, content: first.content, attempts: [] });
    expect(second.savedCostUsd).toBeCloseTo(first.costUsd, 15);
    const totals = await ledger.totals('tenant-a', 'day', new Date(clock.now));
    expect(totals.requests).toBe(2);
    expect(totals.costUsd).toBeCloseTo(first.costUsd, 15);
    expect(totals.savedTokens).toBe(first.usage.promptTokens + first.usage.completionTokens);
    expect(totals.savedCostUsd).toBeCloseTo(first.costUsd, 15);
    expect((await gateway.chat(ask('What is the refund policy?', { noCache: true }))).cache).toBeNull();

    const events: GatewayStreamEvent[] = [];
    for await (const event of gateway.stream(ask('What is the refund policy?'))) events.push(event);
    expect(events.map((event) => event.type)).toEqual(['text', 'done']);
    expect(events[1]).toMatchObject({ type: 'done', cache: 'exact', costUsd: 0 });
    expect(primary.calls).toBe(2);
  });
});

describe('RoutingLlmGateway context window', () => {
  const small: ModelDefinition[] = [
    { id: 'gpt-4o-mini', provider: 'primary', tier: 'small', contextWindow: 400, maxOutputTokens: 100 },
  ];

  it('trims the oldest turns, then the least relevant passages, to fit the window', async () => {
    const primary = new FakeLlmProvider({ name: 'primary' });
    const { gateway } = setup({ primary, models: small, routes: { small: ['gpt-4o-mini'], large: [] } });
    const history = Array.from({ length: 8 }, (_, index) => ({
      role: index % 2 === 0 ? ('user' as const) : ('assistant' as const),
      content: `turn ${index} ${'words '.repeat(40)}`,
    }));
    const result = await gateway.chat({
      ...ask('final question'),
      messages: [
        { role: 'system', content: 'be brief' },
        ...history,
        { role: 'user', content: 'final question' },
      ],
      context: [
        { id: 'p1', documentId: 'd', chunkId: 'relevant', text: 'relevant '.repeat(60), score: 0.9 },
        { id: 'p2', documentId: 'd', chunkId: 'weak', text: 'weak '.repeat(100), score: 0.1 },
      ],
    });
    expect(result.trimmed.messages).toBe(8);
    expect(result.trimmed.passages).toBe(1);
    const sent = primary.lastRequest;
    expect(sent?.messages.map((message) => message.content)).toEqual(['be brief', 'final question']);
    expect(sent?.context?.map((passage) => passage.chunkId)).toEqual(['relevant']);
  });

  it('never overflows silently: too big even trimmed is ContextWindowExceededError', async () => {
    const primary = new FakeLlmProvider({ name: 'primary' });
    const { gateway } = setup({ primary, models: small, routes: { small: ['gpt-4o-mini'], large: [] } });
    await expect(gateway.chat(ask('huge '.repeat(2_000)))).rejects.toMatchObject({
      code: 'CONTEXT_WINDOW_EXCEEDED',
    });
    expect(primary.calls).toBe(0);
  });
});

describe('RoutingLlmGateway streaming', () => {
  it('falls back before the first delta and ends with a done event carrying cost', async () => {
    const primary = new FakeLlmProvider({
      name: 'primary',
      script: [new ProviderUnavailableError({ message: 'down' })],
    });
    const { gateway, ledger } = setup({ primary });
    const events: GatewayStreamEvent[] = [];
    for await (const event of gateway.stream(ask('stream please'))) events.push(event);
    const text = events.map((event) => (event.type === 'text' ? event.text : '')).join('');
    expect(text).toBe('from secondary');
    const done = events[events.length - 1];
    expect(done).toMatchObject({ type: 'done', provider: 'secondary', fallbacks: 1, cache: null });
    expect(ledger.all()).toHaveLength(1);
  });
});

describe('RoutingLlmGateway telemetry', () => {
  it('emits a call span with attempt spans carrying gen_ai attributes, and the llm.* metrics', async () => {
    const exporter = new InMemorySpanExporter();
    const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const reader = new TestMetricReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const primary = new FakeLlmProvider({
      name: 'primary',
      script: [new ProviderUnavailableError({ message: 'down' })],
    });
    const { gateway } = setup({
      primary,
      tracer: tracerProvider.getTracer('test'),
      meter: meterProvider.getMeter('test'),
    });
    await gateway.chat(ask('hello', { temperature: 0.3 }));

    const spans = exporter.getFinishedSpans();
    const call = spans.find((span) => span.name === SPAN.llmGateway);
    const attempts = spans.filter((span) => span.name.startsWith('chat '));
    expect(call?.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'secondary',
      'gen_ai.request.model': 'claude-3-5-haiku',
      'ai_scale.tenant.id': 'tenant-a',
      'ai_scale.llm.fallbacks': 1,
    });
    expect(attempts.map((span) => span.name)).toEqual(['chat gpt-4o-mini', 'chat claude-3-5-haiku']);
    expect(attempts[0]?.attributes['error.type']).toBe('PROVIDER_UNAVAILABLE');
    expect(attempts[1]?.attributes).toMatchObject({
      'gen_ai.provider.name': 'secondary',
      'gen_ai.request.temperature': 0.3,
      'gen_ai.usage.input_tokens': expect.any(Number),
    });
    expect(attempts.every((span) => span.parentSpanContext?.spanId === call?.spanContext().spanId)).toBe(
      true,
    );

    const metrics = await reader.metrics();
    expect([...metrics.keys()].sort()).toEqual(
      expect.arrayContaining([
        METRIC.genAiClientOperationDuration,
        METRIC.genAiClientTokenUsage,
        METRIC.llmFallbacks,
        METRIC.llmBreakerState,
      ]),
    );
    const tokenTypes = metrics
      .get(METRIC.genAiClientTokenUsage)
      ?.dataPoints.map((point) => point.attributes['gen_ai.token.type']);
    expect(tokenTypes).toEqual(expect.arrayContaining(['input', 'output']));
    await tracerProvider.shutdown();
    await meterProvider.shutdown();
  });
});

describe('RoutingLlmGateway prices', () => {
  it('refuses to start with a model the price table cannot price (no call billed at 0)', () => {
    const provider = new FakeLlmProvider({ name: 'p' });
    const build = (prices?: PriceTable) =>
      new RoutingLlmGateway({
        providers: [{ provider }],
        models: [{ id: 'claude-opus-4-9', provider: 'p', tier: 'small', contextWindow: 8_000 }],
        routes: { small: ['claude-opus-4-9'], large: [] },
        ...(prices ? { prices } : {}),
      });
    expect(() => build()).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_MODEL_PRICE', models: ['claude-opus-4-9'] }),
    );
    expect(() => build(new PriceTable(undefined, { usdPerMillion: 10 }))).not.toThrow();
  });
});
