import { startFakeOpenAiServer, llmProviderContract, type FakeOpenAiServer } from '../../testing';
import { OpenAiCompatibleLlmProvider } from './openai-compatible-llm-provider';

llmProviderContract(
  { describe, it, beforeAll, afterAll },
  'openai-compatible over real HTTP against the fake OpenAI-compatible server',
  async () => {
    const server = await startFakeOpenAiServer({ retryAfterSeconds: 2 });
    const provider = new OpenAiCompatibleLlmProvider({ baseUrl: server.url, apiKey: 'test-key' });
    return {
      provider,
      capabilities: {
        tools: true,
        citations: false,
        lastPromptText: () => JSON.stringify(server.lastChatRequest()?.messages),
        injectRateLimit: () => server.injectFaults(['rate_limit']),
        injectServerError: () => server.injectFaults(['server_error']),
      },
      close: async () => {
        await provider.close();
        await server.close();
      },
    };
  },
);

describe('OpenAiCompatibleLlmProvider against the fake OpenAI-compatible server (real HTTP)', () => {
  let server: FakeOpenAiServer;
  let provider: OpenAiCompatibleLlmProvider;
  const request = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hello' }] };

  beforeAll(async () => {
    server = await startFakeOpenAiServer({ retryAfterSeconds: 1.5, contextWindowTokens: 200 });
    provider = new OpenAiCompatibleLlmProvider({ baseUrl: server.url, name: 'local' });
  });
  afterAll(async () => {
    await provider.close();
    await server.close();
  });

  it('sends the wire format: tools, response format, max tokens, stop, seed, tool results', async () => {
    await provider.chat({
      ...request,
      messages: [
        { role: 'user', content: 'weather?' },
        { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'weather', arguments: '{}' }] },
        { role: 'tool', toolCallId: 'c1', content: 'sunny' },
      ],
      responseFormat: { type: 'json_schema', name: 'answer', schema: { type: 'object' } },
      maxTokens: 50,
      stop: ['END'],
      seed: 3,
      temperature: 0.2,
    });
    expect(server.lastChatRequest()).toMatchObject({
      model: 'gpt-4o-mini',
      max_tokens: 50,
      stop: ['END'],
      seed: 3,
      temperature: 0.2,
      response_format: { type: 'json_schema', json_schema: { name: 'answer' } },
      messages: [
        { role: 'user', content: 'weather?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'c1', type: 'function', function: { name: 'weather', arguments: '{}' } }],
        },
        { role: 'tool', tool_call_id: 'c1', content: 'sunny' },
      ],
    });
  });

  it('reads a fractional Retry-After from retry-after-ms', async () => {
    server.injectFaults(['rate_limit']);
    await expect(provider.chat(request)).rejects.toMatchObject({
      code: 'PROVIDER_RATE_LIMITED',
      retryAfterMs: 1500,
    });
  });

  it('maps a malformed body to ProviderResponseInvalidError, in chat and stream', async () => {
    server.injectFaults(['malformed', 'malformed']);
    await expect(provider.chat(request)).rejects.toMatchObject({ code: 'PROVIDER_RESPONSE_INVALID' });
    const consume = async (): Promise<void> => {
      for await (const _delta of provider.stream(request)) {
        // drain
      }
    };
    await expect(consume()).rejects.toMatchObject({ code: 'PROVIDER_RESPONSE_INVALID' });
  });

  it('maps context_length_exceeded to ContextWindowExceededError', async () => {
    await expect(
      provider.chat({ ...request, messages: [{ role: 'user', content: 'x'.repeat(2000) }] }),
    ).rejects.toMatchObject({
      code: 'CONTEXT_WINDOW_EXCEEDED',
    });
  });

  it('turns a hung request into ProviderTimeoutError when its signal aborts', async () => {
    server.injectFaults(['hang']);
    const controller = new AbortController();
    const pending = provider.chat(request, { signal: controller.signal });
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'PROVIDER_TIMEOUT' });
  });

  it('maps a refused connection to ProviderUnavailableError', async () => {
    const nowhere = new OpenAiCompatibleLlmProvider({ baseUrl: 'http://127.0.0.1:1/v1' });
    await expect(nowhere.chat(request)).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });
    await nowhere.close();
  });

  it('serves deterministic embeddings and the model list', async () => {
    const post = async (): Promise<number[]> => {
      const response = await fetch(`${server.url}/embeddings`, {
        method: 'POST',
        body: JSON.stringify({ input: ['refund policy'] }),
      });
      return ((await response.json()) as { data: Array<{ embedding: number[] }> }).data[0]?.embedding ?? [];
    };
    const vector = await post();
    expect(vector).toHaveLength(64);
    expect(await post()).toEqual(vector);
    const models = (await (await fetch(`${server.url}/models`)).json()) as { data: unknown[] };
    expect(models.data.length).toBeGreaterThan(0);
    expect(server.stats.embeddings).toBe(2);
  });
});
