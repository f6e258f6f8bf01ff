import { AnthropicLlmProvider } from '../adapters/anthropic/anthropic-llm-provider';
import { OpenAiCompatibleLlmProvider } from '../adapters/openai-compatible/openai-compatible-llm-provider';
import type { GatewayStreamEvent } from '../ports/llm-gateway';
import {
  startFakeAnthropicServer,
  startFakeOpenAiServer,
  type FakeAnthropicServer,
  type FakeOpenAiServer,
} from '../testing';
import { ApproximateTokenCounter } from '../tokens/token-counter';
import { RoutingLlmGateway } from './routing-llm-gateway';

describe('RoutingLlmGateway over real HTTP: openai-compatible (fake OpenAI server) falling back to anthropic (real SDK, local Messages API server)', () => {
  let openAiServer: FakeOpenAiServer;
  let anthropicServer: FakeAnthropicServer;
  let openai: OpenAiCompatibleLlmProvider;
  let gateway: RoutingLlmGateway;

  beforeAll(async () => {
    openAiServer = await startFakeOpenAiServer({ retryAfterSeconds: 30 });
    anthropicServer = await startFakeAnthropicServer();
    openai = new OpenAiCompatibleLlmProvider({ baseUrl: openAiServer.url, apiKey: 'k' });
    gateway = new RoutingLlmGateway({
      providers: [
        { provider: openai },
        { provider: new AnthropicLlmProvider({ apiKey: 'k', baseUrl: anthropicServer.url }) },
      ],
      models: [
        { id: 'gpt-4o-mini', provider: 'openai', tier: 'small', contextWindow: 128_000 },
        {
          id: 'claude-3-5-haiku',
          provider: 'anthropic',
          providerModel: 'claude-3-5-haiku-latest',
          tier: 'small',
          contextWindow: 200_000,
        },
      ],
      routes: { small: ['gpt-4o-mini', 'claude-3-5-haiku'], large: [] },
      attemptTimeoutMs: 2_000,
      tokenCounter: new ApproximateTokenCounter(),
    });
  });
  afterAll(async () => {
    await openai.close();
    await openAiServer.close();
    await anthropicServer.close();
  });

  it('answers through the primary, then fails over on a 429 and stays off it during Retry-After', async () => {
    const first = await gateway.chat({
      tenantId: 't',
      requestId: 'a',
      messages: [{ role: 'user', content: 'hello' }],
    });
    expect(first).toMatchObject({ provider: 'openai', model: 'gpt-4o-mini' });
    expect(first.costUsd).toBeGreaterThan(0);

    openAiServer.injectFaults(['rate_limit']);
    const second = await gateway.chat({
      tenantId: 't',
      requestId: 'b',
      messages: [{ role: 'user', content: 'hello' }],
    });
    expect(second).toMatchObject({ provider: 'anthropic', model: 'claude-3-5-haiku', fallbacks: 1 });
    const callsBefore = openAiServer.stats.chatCompletions;
    const third = await gateway.chat({
      tenantId: 't',
      requestId: 'c',
      messages: [{ role: 'user', content: 'hello' }],
    });
    expect(third.provider).toBe('anthropic');
    expect(openAiServer.stats.chatCompletions).toBe(callsBefore);
  });

  it('streams through the fallback when the primary hangs past the attempt timeout', async () => {
    const hanging = new RoutingLlmGateway({
      providers: [
        { provider: openai },
        { provider: new AnthropicLlmProvider({ apiKey: 'k', baseUrl: anthropicServer.url }) },
      ],
      models: [
        {
          id: 'gpt-4o-mini',
          provider: 'openai',
          tier: 'small',
          contextWindow: 128_000,
          attemptTimeoutMs: 50,
        },
        { id: 'claude-3-5-haiku', provider: 'anthropic', tier: 'small', contextWindow: 200_000 },
      ],
      routes: { small: ['gpt-4o-mini', 'claude-3-5-haiku'], large: [] },
      attemptTimeoutMs: 5_000,
      tokenCounter: new ApproximateTokenCounter(),
    });
    openAiServer.injectFaults(['hang']);
    const events: GatewayStreamEvent[] = [];
    for await (const event of hanging.stream({
      tenantId: 't',
      requestId: 'd',
      messages: [{ role: 'user', content: 'stream it' }],
    })) {
      events.push(event);
    }
    const text = events.map((event) => (event.type === 'text' ? event.text : '')).join('');
    expect(text).toContain('stream it');
    expect(events[events.length - 1]).toMatchObject({ type: 'done', provider: 'anthropic', fallbacks: 1 });
    const done = events[events.length - 1] as Extract<GatewayStreamEvent, { type: 'done' }>;
    expect(done.attempts[0]?.outcome).toBe('PROVIDER_TIMEOUT');
    expect(done.usage.completionTokens).toBeGreaterThan(0);
  });
});
