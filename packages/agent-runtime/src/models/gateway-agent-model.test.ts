import { createLlmGateway, FakeLlmProvider, MemoryUsageLedger } from '@ai-scale/llm-gateway';
import { z } from 'zod';
import { MemoryCheckpointStore } from '../adapters/memory/memory-checkpoint-store';
import { defineAgent } from '../agent/agent-definition';
import type { ModelTurnRequest } from '../ports/agent-model';
import { AgentRuntime } from '../runtime/agent-runtime';
import { gatewayAgentModel, type ChatGateway } from './gateway-agent-model';

/**
 * The run's cost budget is reserved in the real gateway: each turn's worst case (prompt counted +
 * the 10,000-token output reserve at gpt-4o-mini's $0.60/M, ~0.006 USD) is held against
 * `run:<runId>` before the provider is called.
 */
function pricedGateway(latencyMs = 20) {
  const provider = new FakeLlmProvider({ name: 'fake', respond: 'the answer', latencyMs });
  const ledger = new MemoryUsageLedger();
  const gateway = createLlmGateway({
    providers: [{ provider }],
    models: [{ id: 'gpt-4o-mini', provider: 'fake', tier: 'small', contextWindow: 128_000 }],
    routes: { small: ['gpt-4o-mini'], large: ['gpt-4o-mini'] },
    ledger,
  });
  return { provider, ledger, gateway };
}

const turn = (runId: string, step: number, runBudget?: ModelTurnRequest['runBudget']): ModelTurnRequest => ({
  runId,
  tenantId: 't1',
  step,
  messages: [{ role: 'user', content: 'How long do refunds take?' }],
  tools: [],
  temperature: 0,
  seed: undefined,
  signal: new AbortController().signal,
  ...(runBudget ? { runBudget } : {}),
});

describe('gatewayAgentModel: the run budget is a gateway reservation', () => {
  it('30 concurrent turns of one run admit only what its budget covers; another run is unaffected', async () => {
    const { provider, ledger, gateway } = pricedGateway();
    const model = gatewayAgentModel(gateway, { model: 'gpt-4o-mini', maxTokens: 10_000 });
    // 0.02 USD covers 3 worst cases (~0.006 each), not 4.
    const budget = { limitUsd: 0.02, spentUsd: 0 };
    const outcomes = await Promise.allSettled(
      Array.from({ length: 30 }, (_, index) => model.next(turn('run-a', index + 1, budget))),
    );
    const admitted = outcomes.filter((outcome) => outcome.status === 'fulfilled').length;
    expect(admitted).toBe(3);
    expect(provider.calls).toBe(3);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected')
        expect(outcome.reason).toMatchObject({ code: 'BUDGET_EXCEEDED', period: 'budget' });
    }
    const spent = (await ledger.totals('t1', 'month')).costUsd;
    expect(spent).toBeGreaterThan(0);
    expect(spent).toBeLessThanOrEqual(budget.limitUsd);
    // The budget is the run's, not the tenant's: another run of the tenant still gets its turns.
    await expect(model.next(turn('run-b', 1, budget))).resolves.toMatchObject({ content: 'the answer' });
    // Without a run budget nothing is reserved against a run.
    await expect(model.next(turn('run-a', 99))).resolves.toMatchObject({ content: 'the answer' });
  });

  it('seeds the run counter from what the checkpoint says the run already spent', async () => {
    const { provider, gateway } = pricedGateway(0);
    const model = gatewayAgentModel(gateway, { model: 'gpt-4o-mini', maxTokens: 10_000 });
    await expect(model.next(turn('run-c', 4, { limitUsd: 0.02, spentUsd: 0.018 }))).rejects.toMatchObject({
      code: 'BUDGET_EXCEEDED',
    });
    expect(provider.calls).toBe(0);
  });

  it('the runtime passes the agent’s maxCostUsd and the run’s spend as the run budget of every turn', async () => {
    const { gateway } = pricedGateway(0);
    const requests: Parameters<ChatGateway['chat']>[0][] = [];
    const recording: ChatGateway = {
      chat: (request) => {
        requests.push(request);
        return gateway.chat(request);
      },
    };
    const budgeted = (name: string, limits: { maxCostUsd?: number }) =>
      defineAgent({
        name,
        promptVersion: 'p1',
        systemPrompt: 'Answer.',
        model: gatewayAgentModel(recording, { model: 'gpt-4o-mini' }),
        temperature: 0,
        tools: [],
        input: z.object({ question: z.string() }),
        limits,
      });
    const runtime = new AgentRuntime({
      store: new MemoryCheckpointStore(),
      agents: [budgeted('capped', { maxCostUsd: 0.5 }), budgeted('uncapped', {})],
    });
    const capped = await runtime.startRun('capped', { question: 'q?' }, { tenantId: 't1' });
    expect(await runtime.processRun(capped.runId)).toMatchObject({ status: 'succeeded' });
    expect(requests[0]?.budgets).toEqual([{ key: `run:${capped.runId}`, limitUsd: 0.5, spentUsd: 0 }]);
    const uncapped = await runtime.startRun('uncapped', { question: 'q?' }, { tenantId: 't1' });
    expect(await runtime.processRun(uncapped.runId)).toMatchObject({ status: 'succeeded' });
    expect(requests[1]?.budgets).toBeUndefined();
  });
});
