import { deleteRedisKeys, describeWithRedis, redisUrl, uniqueName } from '@ai-scale/testkit';
import { Redis } from 'ioredis';
import { FakeLlmProvider } from '../adapters/fake/fake-llm-provider';
import { MemoryUsageLedger } from '../adapters/memory/memory-usage-ledger';
import { RedisBudgetReservations } from '../adapters/redis/redis-budget-reservations';
import { RedisRateLimiter } from '../adapters/redis/redis-rate-limiter';
import type { GatewayChatRequest } from '../ports/llm-gateway';
import type { ChatRequest, ChatResult, ProviderCallOptions } from '../ports/llm-provider';
import { PriceTable } from '../pricing/price-table';
import { ApproximateTokenCounter, countPromptTokens } from '../tokens/token-counter';
import { RoutingLlmGateway, type RoutingLlmGatewayOptions } from './routing-llm-gateway';

/** A fake provider whose reported usage is the worst case the gateway reserved for the call. */
class KnownCostProvider extends FakeLlmProvider {
  constructor(private readonly promptTokens: number) {
    super({ name: 'openai', respond: 'ok', latencyMs: 5 });
  }

  override async chat(request: ChatRequest, options?: ProviderCallOptions): Promise<ChatResult> {
    const result = await super.chat(request, options);
    return {
      ...result,
      usage: { promptTokens: this.promptTokens, completionTokens: request.maxTokens ?? 0, cachedTokens: 0 },
    };
  }
}

/** Two gateways on one Redis: two replicas of the API. */
describeWithRedis('RoutingLlmGateway replicas sharing Redis', () => {
  const prefix = uniqueName('gwshared');
  const clients = [new Redis(redisUrl()), new Redis(redisUrl())];
  afterAll(async () => {
    await deleteRedisKeys(`${prefix}:*`);
    await Promise.all(clients.map((client) => client.quit()));
  });

  function replicas(extra: Partial<RoutingLlmGatewayOptions> = {}, rpm?: number) {
    const ledger = new MemoryUsageLedger(); // one shared record, like the PostgreSQL ledger
    return clients.map((client) => {
      const provider = new FakeLlmProvider({ name: 'openai', respond: 'ok' });
      const gateway = new RoutingLlmGateway({
        providers: [{ provider, ...(rpm ? { limits: { rpm } } : {}) }],
        models: [{ id: 'gpt-4.1-mini', provider: 'openai', tier: 'small', contextWindow: 128_000 }],
        routes: { small: ['gpt-4.1-mini'], large: [] },
        ledger,
        rateLimiter: new RedisRateLimiter({ client, prefix }),
        reservations: new RedisBudgetReservations({ client, prefix }),
        tokenCounter: new ApproximateTokenCounter(),
        retry: { rounds: 1 },
        ...extra,
      });
      return { gateway, provider, ledger };
    });
  }

  const sharedLedger = new MemoryUsageLedger();
  const counter = new ApproximateTokenCounter();
  let sequence = 0;
  const ask = (tenantId: string, extra: Partial<GatewayChatRequest> = {}): GatewayChatRequest => ({
    tenantId,
    requestId: `${tenantId}-${++sequence}`,
    messages: [{ role: 'user', content: 'hello there' }],
    ...extra,
  });

  it('sends a provider its RPM once across both replicas, not once per replica', async () => {
    const pair = replicas({}, 10);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 30 }, (_, index) =>
        (pair[index % 2]?.gateway as RoutingLlmGateway).chat(ask('t-rpm')),
      ),
    );
    const calls = pair.reduce((sum, replica) => sum + replica.provider.calls, 0);
    expect(calls).toBe(10);
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(10);
  });

  it('holds a tenant’s tokens per minute across both replicas, refusing with a Retry-After', async () => {
    // Each call needs its prompt (~7 tokens) + 100 output tokens: 3 fit in 350.
    const pair = replicas({
      tenantLimits: (tenant) => (tenant === 't-tpm' ? { tokensPerMinute: 350 } : undefined),
    });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 8 }, (_, index) =>
        (pair[index % 2]?.gateway as RoutingLlmGateway).chat(ask('t-tpm', { maxTokens: 100 })),
      ),
    );
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(3);
    const refused = outcomes.find((outcome) => outcome.status === 'rejected');
    expect(refused?.status === 'rejected' && refused.reason).toMatchObject({
      code: 'TENANT_TOKEN_RATE_LIMITED',
      details: expect.objectContaining({ retryAfterSeconds: expect.any(Number) }),
    });
    // Another tenant is not limited.
    await expect(
      (pair[0]?.gateway as RoutingLlmGateway).chat(ask('t-other', { maxTokens: 100 })),
    ).resolves.toBeDefined();
  });

  it.each([1, 10, 100])(
    'admits exactly %i of 200 concurrent calls across both replicas against a budget covering exactly that many',
    async (covered) => {
      const tenant = `t-budget-${covered}`;
      const request = ask(tenant, { maxTokens: 1_000 });
      // What the gateway reserves per call: the counted prompt × 1.1 and 1,000 output tokens, at list
      // price; the budget covers exactly `covered` of them (plus the nano-USD each rounds up by).
      const worst = new PriceTable().worstCaseCost(
        'gpt-4.1-mini',
        Math.ceil(countPromptTokens(counter, request.messages, undefined, undefined) * 1.1),
        1_000,
      );
      const limitUsd = worst * covered + covered * 1e-9;
      const gateways = clients.map((client) => {
        // Reports exactly the usage that was reserved: a settle releases nothing, so how many are
        // admitted does not depend on how fast calls finish.
        const provider = new KnownCostProvider(
          Math.ceil(countPromptTokens(counter, request.messages, undefined, undefined) * 1.1),
        );
        return {
          provider,
          gateway: new RoutingLlmGateway({
            providers: [{ provider }],
            models: [{ id: 'gpt-4.1-mini', provider: 'openai', tier: 'small', contextWindow: 128_000 }],
            routes: { small: ['gpt-4.1-mini'], large: [] },
            ledger: sharedLedger,
            budgets: (id) => (id === tenant ? { dailyUsd: limitUsd } : undefined),
            reservations: new RedisBudgetReservations({ client, prefix }),
            tokenCounter: counter,
          }),
        };
      });
      const outcomes = await Promise.allSettled(
        Array.from({ length: 200 }, (_, index) =>
          (gateways[index % 2]?.gateway as RoutingLlmGateway).chat({
            ...request,
            requestId: `${tenant}-${index}`,
          }),
        ),
      );
      const admitted = outcomes.filter((outcome) => outcome.status === 'fulfilled').length;
      expect(admitted).toBe(covered);
      expect(gateways.reduce((sum, replica) => sum + replica.provider.calls, 0)).toBe(covered);
      const spent = (await sharedLedger.totals(tenant, 'day')).costUsd;
      expect(spent).toBeLessThanOrEqual(limitUsd);
      // Every admitted call cost exactly its reservation: the budget is spent to the nano-USD.
      expect(spent).toBeCloseTo(worst * covered, 9);
    },
  );
});
