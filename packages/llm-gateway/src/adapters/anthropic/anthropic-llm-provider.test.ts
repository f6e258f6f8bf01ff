import { llmProviderContract, startFakeAnthropicServer, type FakeAnthropicServer } from '../../testing';
import { AnthropicLlmProvider } from './anthropic-llm-provider';

llmProviderContract(
  { describe, it, beforeAll, afterAll },
  'anthropic: the real @anthropic-ai/sdk client against a local Messages API server',
  async () => {
    const server = await startFakeAnthropicServer({ retryAfterSeconds: 2 });
    const provider = new AnthropicLlmProvider({ apiKey: 'test-key', baseUrl: server.url });
    return {
      provider,
      capabilities: {
        tools: true,
        citations: false,
        lastPromptText: () => JSON.stringify(server.lastRequest()?.system),
        injectRateLimit: () => server.injectFaults(['rate_limit']),
        injectServerError: () => server.injectFaults(['server_error']),
      },
      close: () => server.close(),
    };
  },
);

describe('AnthropicLlmProvider with the real SDK against a local Messages API server', () => {
  let server: FakeAnthropicServer;
  let provider: AnthropicLlmProvider;
  beforeAll(async () => {
    server = await startFakeAnthropicServer();
    provider = new AnthropicLlmProvider({ apiKey: 'sk-test', baseUrl: server.url, defaultMaxTokens: 333 });
  });
  afterAll(() => server.close());

  it('maps messages to the Messages API: system apart, tool use and tool results, max_tokens', async () => {
    await provider.chat({
      model: 'claude-3-5-haiku-latest',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'weather?' },
        {
          role: 'assistant',
          content: '',
          toolCalls: [{ id: 'toolu_1', name: 'weather', arguments: '{"city":"Paris"}' }],
        },
        { role: 'tool', toolCallId: 'toolu_1', content: 'sunny' },
        { role: 'user', content: 'and tomorrow?' },
      ],
      stop: ['END'],
      responseFormat: { type: 'json' },
    });
    const sent = server.lastRequest();
    const headers = server.lastHeaders() ?? {};
    expect(headers['anthropic-version']).toBeDefined();
    expect([headers['x-api-key'], headers.authorization]).toContainEqual(expect.stringContaining('sk-test'));
    expect(sent).toMatchObject({
      model: 'claude-3-5-haiku-latest',
      max_tokens: 333,
      stop_sequences: ['END'],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'weather?' }] },
        {
          role: 'assistant',
          content: [{ type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Paris' } }],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: 'sunny' },
            { type: 'text', text: 'and tomorrow?' },
          ],
        },
      ],
    });
    expect(String(sent?.system)).toContain('be brief');
    expect(String(sent?.system)).toContain('JSON');
  });

  it('maps a malformed reply to ProviderResponseInvalidError and an unreachable API to ProviderUnavailableError', async () => {
    server.injectFaults(['malformed']);
    await expect(
      provider.chat({ model: 'm', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toMatchObject({
      code: 'PROVIDER_RESPONSE_INVALID',
    });
    const nowhere = new AnthropicLlmProvider({ apiKey: 'k', baseUrl: 'http://127.0.0.1:1' });
    await expect(
      nowhere.chat({ model: 'm', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toMatchObject({
      code: 'PROVIDER_UNAVAILABLE',
    });
  });
});
