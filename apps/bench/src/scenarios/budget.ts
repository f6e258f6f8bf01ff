/**
 * Scenario `budget`: do budgets hold under concurrency? 200 requests of known cost start at once,
 * split between two gateway replicas sharing one Redis (budget reservations, Lua), against a tenant
 * budget that covers exactly N of them, N in {1, 10, 100}. Each call's cost is known: the fake
 * provider reports exactly the usage the gateway reserved (counted prompt × 1.1, the full
 * `maxTokens`), so the budget admits exactly N whatever the timing. Reported: the calls admitted
 * (must be N) and the overshoot (spend over the budget, must be 0), beside the same burst against
 * per-replica counters (each replica its own memory reservations — what N replicas without a shared
 * store do), which shows the failure the shared store prevents.
 */
import {
  ApproximateTokenCounter,
  countPromptTokens,
  createLlmGateway,
  FakeLlmProvider,
  type BudgetReservations,
  type ChatRequest,
  type ChatResult,
  type LlmProvider,
  MemoryBudgetReservations,
  MemoryUsageLedger,
  PriceTable,
} from '@ai-scale/llm-gateway';
import { round } from '../report';
import type { Scenario, ScenarioContext } from '../scenario';

const MODEL = 'gpt-4.1-mini';
const MAX_TOKENS = 500;
const CALLS = 200;
const counter = new ApproximateTokenCounter();
const prices = new PriceTable();

/** Answers after `latencyMs` and reports the worst-case usage: its cost is exactly what was reserved. */
class KnownCostProvider implements LlmProvider {
  readonly name = 'openai';
  calls = 0;
  private readonly inner = new FakeLlmProvider({ name: 'openai', respond: 'ok', latencyMs: 20 });

  async chat(request: ChatRequest, options?: { signal?: AbortSignal }): Promise<ChatResult> {
    this.calls++;
    const result = await this.inner.chat(request, options);
    return {
      ...result,
      usage: {
        promptTokens: reservedPrompt(request),
        completionTokens: request.maxTokens ?? 0,
        cachedTokens: 0,
      },
    };
  }

  stream(request: ChatRequest, options?: { signal?: AbortSignal }) {
    return this.inner.stream(request, options);
  }
}

const reservedPrompt = (request: Pick<ChatRequest, 'messages' | 'context' | 'tools'>): number =>
  Math.ceil(countPromptTokens(counter, request.messages, request.context, request.tools) * 1.1);

interface Burst {
  readonly admitted: number;
  readonly overshootUsd: number;
  readonly spentUsd: number;
  readonly budgetUsd: number;
  readonly providerCalls: number;
}

async function burst(
  covered: number,
  stores: readonly BudgetReservations[],
  tenantId: string,
): Promise<Burst> {
  const messages = [{ role: 'user' as const, content: 'How long do refunds take for an annual plan?' }];
  const costUsd = prices.cost(MODEL, {
    promptTokens: reservedPrompt({ messages }),
    completionTokens: MAX_TOKENS,
    cachedTokens: 0,
  });
  const budgetUsd = costUsd * covered;
  const ledger = new MemoryUsageLedger();
  const replicas = stores.map((reservations) => {
    const provider = new KnownCostProvider();
    const gateway = createLlmGateway({
      providers: [{ provider }],
      models: [{ id: MODEL, provider: 'openai', tier: 'small', contextWindow: 128_000 }],
      routes: { small: [MODEL], large: [] },
      ledger,
      budgets: (id) => (id === tenantId ? { dailyUsd: budgetUsd } : undefined),
      reservations,
      tokenCounter: counter,
    });
    return { provider, gateway };
  });
  const outcomes = await Promise.allSettled(
    Array.from({ length: CALLS }, (_, index) =>
      replicas[index % replicas.length]!.gateway.chat({
        tenantId,
        requestId: `${tenantId}-${index}`,
        messages,
        maxTokens: MAX_TOKENS,
        noCache: true,
      }),
    ),
  );
  for (const outcome of outcomes) {
    if (outcome.status === 'rejected' && (outcome.reason as { code?: string }).code !== 'BUDGET_EXCEEDED')
      throw outcome.reason;
  }
  const spentUsd = (await ledger.totals(tenantId, 'day')).costUsd;
  return {
    admitted: outcomes.filter((outcome) => outcome.status === 'fulfilled').length,
    // Below a nano-USD is float noise of the ledger's sum, not spend.
    overshootUsd: Math.max(0, round(spentUsd - budgetUsd, 9)),
    spentUsd,
    budgetUsd,
    providerCalls: replicas.reduce((sum, replica) => sum + replica.provider.calls, 0),
  };
}

const scenario: Scenario = {
  name: 'budget',
  description:
    '200 concurrent calls of known cost across two replicas against budgets covering exactly N of them.',
  async run(context: ScenarioContext) {
    const { RedisBudgetReservations } = await import('@ai-scale/llm-gateway/redis');
    const { redisUrl, uniqueName, deleteRedisKeys } = await import('@ai-scale/testkit');
    const { Redis } = await import('ioredis');
    const clients = [new Redis(redisUrl()), new Redis(redisUrl())];
    const prefix = uniqueName('bench-budget');
    const metrics: Record<string, number> = {};
    const rows: Record<string, string | number>[] = [];
    let overshoot = 0;
    try {
      for (const covered of [1, 10, 100]) {
        const shared = await burst(
          covered,
          clients.map((client) => new RedisBudgetReservations({ client, prefix })),
          `tenant-shared-${covered}`,
        );
        const perReplica = await burst(
          covered,
          clients.map(() => new MemoryBudgetReservations()),
          `tenant-local-${covered}`,
        );
        overshoot = Math.max(overshoot, shared.overshootUsd);
        metrics[`budget_admitted_n${covered}`] = shared.admitted;
        metrics[`budget_overshoot_usd_n${covered}`] = shared.overshootUsd;
        metrics[`per_replica_admitted_n${covered}`] = perReplica.admitted;
        metrics[`per_replica_overshoot_usd_n${covered}`] = perReplica.overshootUsd;
        for (const [store, result] of [
          ['Redis reservations (shared)', shared],
          ['per-replica memory counters', perReplica],
        ] as const) {
          rows.push({
            budget_covers: covered,
            store,
            budget_usd: result.budgetUsd.toFixed(6),
            admitted: result.admitted,
            provider_calls: result.providerCalls,
            spent_usd: result.spentUsd.toFixed(6),
            overshoot_usd: result.overshootUsd.toFixed(6),
          });
        }
      }
    } finally {
      await deleteRedisKeys(`${prefix}:*`);
      await Promise.all(clients.map((client) => client.quit()));
    }
    context.table(`${CALLS} concurrent calls across 2 replicas, budget covering exactly N`, rows);
    return { budget_overshoot_usd: overshoot, ...metrics };
  },
};

export default scenario;
