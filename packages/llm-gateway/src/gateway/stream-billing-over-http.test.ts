import { AnthropicLlmProvider } from '../adapters/anthropic/anthropic-llm-provider';
import { MemoryBudgetReservations } from '../adapters/memory/memory-budget-reservations';
import { MemoryUsageLedger } from '../adapters/memory/memory-usage-ledger';
import { OpenAiCompatibleLlmProvider } from '../adapters/openai-compatible/openai-compatible-llm-provider';
import { PriceTable } from '../pricing/price-table';
import type { GatewayChatRequest, GatewayStreamEvent } from '../ports/llm-gateway';
import type { FaultKind } from '../testing';
import { startFakeAnthropicServer, startFakeOpenAiServer } from '../testing';
import { ApproximateTokenCounter, countPromptTokens } from '../tokens/token-counter';
import { RoutingLlmGateway } from './routing-llm-gateway';

interface Harness {
  readonly gateway: RoutingLlmGateway;
  readonly ledger: MemoryUsageLedger;
  readonly reservations: MemoryBudgetReservations;
  readonly model: string;
  injectFaults(faults: readonly FaultKind[]): void;
  close(): Promise<void>;
}

const counter = new ApproximateTokenCounter();
const prices = new PriceTable();
let sequence = 0;
const question = (): GatewayChatRequest => ({
  tenantId: 'tenant-golden',
  requestId: `golden-${++sequence}`,
  messages: [
    { role: 'system', content: 'Answer in one sentence.' },
    { role: 'user', content: 'How long do refunds take for an annual plan bought in the EU?' },
  ],
  temperature: 0,
  maxTokens: 200,
});

function gatewayFor(
  provider: OpenAiCompatibleLlmProvider | AnthropicLlmProvider,
  model: string,
  providerModel: string,
) {
  const ledger = new MemoryUsageLedger();
  const reservations = new MemoryBudgetReservations();
  const gateway = new RoutingLlmGateway({
    providers: [{ provider }],
    models: [{ id: model, provider: provider.name, providerModel, tier: 'small', contextWindow: 128_000 }],
    routes: { small: [model], large: [] },
    ledger,
    reservations,
    budgets: () => ({ dailyUsd: 10 }),
    tokenCounter: counter,
    attemptTimeoutMs: 5_000,
    retry: { rounds: 1 },
  });
  return { gateway, ledger, reservations };
}

async function openAiHarness(streamUsage = true): Promise<Harness> {
  const server = await startFakeOpenAiServer({ streamUsage });
  const provider = new OpenAiCompatibleLlmProvider({ baseUrl: server.url, apiKey: 'k' });
  return {
    ...gatewayFor(provider, 'gpt-4.1-mini', 'gpt-4.1-mini'),
    model: 'gpt-4.1-mini',
    injectFaults: (faults) => server.injectFaults(faults),
    close: async () => {
      await provider.close();
      await server.close();
    },
  };
}

async function anthropicHarness(): Promise<Harness> {
  const server = await startFakeAnthropicServer();
  const provider = new AnthropicLlmProvider({ apiKey: 'k', baseUrl: server.url });
  return {
    ...gatewayFor(provider, 'claude-haiku-4-5', 'claude-haiku-4-5-20251001'),
    model: 'claude-haiku-4-5',
    injectFaults: (faults) => server.injectFaults(faults),
    close: () => server.close(),
  };
}

function entryOf(harness: Harness, requestId: string) {
  const entry = harness.ledger.all().find((candidate) => candidate.requestId === requestId);
  if (!entry) throw new Error(`no ledger entry for ${requestId}`);
  return entry;
}

/** The budget counter holds nothing once a call ended, and committed spend equals the ledger's. */
async function expectSettled(harness: Harness): Promise<void> {
  const day = new Date().toISOString().slice(0, 10);
  const usage = await harness.reservations.usage('tenant-golden', `day:${day}`);
  const ledgerCost = (await harness.ledger.totals('tenant-golden', 'day')).costUsd;
  expect(usage?.heldUsd).toBe(0);
  expect(usage?.committedUsd).toBeCloseTo(ledgerCost, 9);
}

/** What a stream that ended early must be billed: the prompt as sent plus what it generated, counted. */
function countedCost(harness: Harness, request: GatewayChatRequest, generated: string) {
  const usage = {
    promptTokens: countPromptTokens(counter, request.messages, request.context, request.tools),
    completionTokens: counter.count(generated),
    cachedTokens: 0,
  };
  return { usage, costUsd: prices.cost(harness.model, usage) };
}

describe.each([
  ['openai-compatible (fake OpenAI server)', () => openAiHarness()],
  ['anthropic (real SDK, local Messages API server)', () => anthropicHarness()],
])('streams are always billed, over HTTP: %s', (_name, start) => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await start();
  });
  afterAll(async () => {
    await harness.close();
  });

  it('costs the same streamed and not streamed, to the last token', async () => {
    const whole = await harness.gateway.chat(question());
    const request = question();
    const events: GatewayStreamEvent[] = [];
    for await (const event of harness.gateway.stream(request)) events.push(event);
    const done = events.at(-1);
    if (done?.type !== 'done') throw new Error('no done event');
    expect(events.map((event) => (event.type === 'text' ? event.text : '')).join('')).toBe(whole.content);
    expect(done.usage).toEqual(whole.usage);
    expect(done.costUsd).toBe(whole.costUsd);
    expect(done.costUsd).toBeGreaterThan(0);
    const streamed = entryOf(harness, request.requestId);
    const plain = entryOf(harness, whole.requestId);
    expect(streamed).toMatchObject({
      usageSource: 'provider',
      costUsd: plain.costUsd,
      completionTokens: plain.completionTokens,
      promptTokens: plain.promptTokens,
    });
    await expectSettled(harness);
  });

  it('bills a stream the consumer abandoned for the deltas it produced', async () => {
    const request = question();
    let generated = '';
    let deltas = 0;
    for await (const event of harness.gateway.stream(request)) {
      if (event.type === 'text') generated += event.text;
      if (++deltas === 2) break;
    }
    const entry = entryOf(harness, request.requestId);
    const expected = countedCost(harness, request, generated);
    expect(generated.length).toBeGreaterThan(0);
    expect(entry).toMatchObject({ usageSource: 'counted', ...expected.usage });
    expect(entry.costUsd).toBeCloseTo(expected.costUsd, 15);
    await expectSettled(harness);
  });

  it('bills a stream the caller aborted (a client disconnect) for the deltas it produced', async () => {
    const controller = new AbortController();
    const request = { ...question(), signal: controller.signal };
    let generated = '';
    const failure = await (async () => {
      for await (const event of harness.gateway.stream(request)) {
        if (event.type === 'text') {
          generated += event.text;
          controller.abort();
        }
      }
    })().catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'PROVIDER_TIMEOUT' });
    const entry = entryOf(harness, request.requestId);
    const expected = countedCost(harness, request, generated);
    expect(entry).toMatchObject({ usageSource: 'counted', ...expected.usage });
    await expectSettled(harness);
  });

  it('bills a stream the provider broke mid-way for the deltas it produced', async () => {
    harness.injectFaults(['stream_break']);
    const request = question();
    let generated = '';
    const failure = await (async () => {
      for await (const event of harness.gateway.stream(request))
        if (event.type === 'text') generated += event.text;
    })().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect(generated.length).toBeGreaterThan(0);
    const entry = entryOf(harness, request.requestId);
    const expected = countedCost(harness, request, generated);
    expect(entry).toMatchObject({ usageSource: 'counted', ...expected.usage });
    expect(entry.costUsd).toBeGreaterThan(0);
    await expectSettled(harness);
  });
});

describe('a stream whose provider sends no usage (a server that ignores include_usage)', () => {
  it('is billed by count: the prompt as sent plus every generated token', async () => {
    const harness = await openAiHarness(false);
    try {
      const request = question();
      let generated = '';
      let done: GatewayStreamEvent | undefined;
      for await (const event of harness.gateway.stream(request)) {
        if (event.type === 'text') generated += event.text;
        if (event.type === 'done') done = event;
      }
      const expected = countedCost(harness, request, generated);
      expect(done).toMatchObject({ usage: expected.usage });
      const entry = entryOf(harness, request.requestId);
      expect(entry).toMatchObject({ usageSource: 'counted', ...expected.usage });
      expect(entry.costUsd).toBeCloseTo(expected.costUsd, 15);
      expect(entry.costUsd).toBeGreaterThan(0);
      await expectSettled(harness);
    } finally {
      await harness.close();
    }
  });
});
