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

describe('tool calls survive a fallback between openai-compatible and anthropic over HTTP (local protocol servers that check ids as the real APIs do)', () => {
  let openAiServer: FakeOpenAiServer;
  let anthropicServer: FakeAnthropicServer;
  let openai: OpenAiCompatibleLlmProvider;
  let anthropic: AnthropicLlmProvider;

  beforeAll(async () => {
    openAiServer = await startFakeOpenAiServer();
    anthropicServer = await startFakeAnthropicServer();
    openai = new OpenAiCompatibleLlmProvider({ baseUrl: openAiServer.url, apiKey: 'k' });
    anthropic = new AnthropicLlmProvider({ apiKey: 'k', baseUrl: anthropicServer.url });
  });
  afterAll(async () => {
    await openai.close();
    await openAiServer.close();
    await anthropicServer.close();
  });

  const gatewayWith = (chain: readonly ['openai' | 'anthropic', 'openai' | 'anthropic']) =>
    new RoutingLlmGateway({
      providers: [{ provider: openai }, { provider: anthropic }],
      models: [
        { id: 'gpt-4o-mini', provider: 'openai', tier: 'small', contextWindow: 128_000 },
        { id: 'claude-haiku-4-5', provider: 'anthropic', tier: 'small', contextWindow: 200_000 },
      ],
      routes: {
        small: chain.map((provider) => (provider === 'openai' ? 'gpt-4o-mini' : 'claude-haiku-4-5')),
        large: [],
      },
      attemptTimeoutMs: 2_000,
      retry: { rounds: 1 },
      tokenCounter: new ApproximateTokenCounter(),
    });

  const tools = [
    {
      name: 'lookup_order',
      description: 'Looks an order up',
      parameters: { type: 'object', properties: { id: { type: 'number' } } },
    },
  ];
  const conversation = (callId: string) => [
    { role: 'user' as const, content: 'Where is order 42?' },
    {
      role: 'assistant' as const,
      content: '',
      toolCalls: [{ id: callId, name: 'lookup_order', arguments: '{"id":42}' }],
    },
    { role: 'tool' as const, toolCallId: callId, content: 'Order 42 left the depot.' },
  ];

  it('carries an id Anthropic would refuse (functions.lookup_order:0) from an OpenAI-compatible turn to Anthropic', async () => {
    openAiServer.injectFaults(['server_error']);
    const result = await gatewayWith(['openai', 'anthropic']).chat({
      tenantId: 't',
      requestId: 'tool-fallback-1',
      messages: conversation('functions.lookup_order:0'),
      tools,
    });
    expect(result).toMatchObject({ provider: 'anthropic', fallbacks: 1 });
    const sent = anthropicServer.lastRequest()?.messages ?? [];
    const use = (sent[1]?.content as Array<{ type: string; id?: string }>).find(
      (block) => block.type === 'tool_use',
    );
    const answer = (sent[2]?.content as Array<{ type: string; tool_use_id?: string }>)[0];
    expect(use?.id).toMatch(/^[a-zA-Z0-9_-]+$/);
    expect(answer?.tool_use_id).toBe(use?.id);
  });

  it('carries an id over OpenAI’s 40 characters (vLLM’s chatcmpl-tool-…) from a turn to an OpenAI-compatible fallback', async () => {
    const longId = `chatcmpl-tool-${'4f5e'.repeat(8)}`;
    expect(longId.length).toBeGreaterThan(40);
    anthropicServer.injectFaults(['server_error']);
    const result = await gatewayWith(['anthropic', 'openai']).chat({
      tenantId: 't',
      requestId: 'tool-fallback-2',
      messages: conversation(longId),
      tools,
    });
    expect(result).toMatchObject({ provider: 'openai', fallbacks: 1 });
    const sent = (openAiServer.lastChatRequest()?.messages ?? []) as Array<{
      tool_calls?: Array<{ id: string }>;
      tool_call_id?: string;
    }>;
    const callId = sent[1]?.tool_calls?.[0]?.id;
    expect(callId?.length).toBeLessThanOrEqual(40);
    expect(sent[2]?.tool_call_id).toBe(callId);
  });
});
