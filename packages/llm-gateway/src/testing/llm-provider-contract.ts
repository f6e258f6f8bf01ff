import { LlmGatewayError } from '../errors/llm-gateway.error';
import type { ChatDelta, ChatRequest, LlmProvider } from '../ports/llm-provider';

/** The test functions the suite needs (jest's or vitest's). */
export interface ContractTestApi {
  describe(name: string, body: () => void): void;
  it(name: string, body: () => Promise<unknown>): void;
  beforeAll(body: () => Promise<unknown>): void;
  afterAll(body: () => Promise<unknown>): void;
}

export interface LlmProviderContractCapabilities {
  /** The provider can be forced to call a tool (`toolChoice`). */
  readonly tools: boolean;
  /** The provider returns `citations` for the context passages it used. */
  readonly citations: boolean;
  /** Makes the next call get a 429 with `Retry-After: 2`; omitted when the provider cannot be made to. */
  readonly injectRateLimit?: () => void;
  /** Makes the next call get a server error. */
  readonly injectServerError?: () => void;
  /** The prompt text the provider last received, to check that context passages reached it. */
  readonly lastPromptText?: () => string;
}

export interface LlmProviderFixture {
  readonly provider: LlmProvider;
  readonly capabilities: LlmProviderContractCapabilities;
  close?(): Promise<void>;
}

const PASSAGE_TEXT =
  'Annual plans can be refunded within 30 days of purchase. Monthly plans are not refundable. Support answers within one business day.';

const question = (text: string, model = 'contract-model'): ChatRequest => ({
  model,
  messages: [
    { role: 'system', content: 'You answer briefly.' },
    { role: 'user', content: text },
  ],
  context: [{ id: 'p1', documentId: 'doc-1', chunkId: 'chunk-1', text: PASSAGE_TEXT }],
});

async function collect(stream: AsyncIterable<ChatDelta>): Promise<ChatDelta[]> {
  const deltas: ChatDelta[] = [];
  for await (const delta of stream) deltas.push(delta);
  return deltas;
}

/**
 * The one contract every `LlmProvider` adapter must pass. `createFixture` runs once (in
 * `beforeAll`); the fixture declares what the adapter can do, so opt-outs live in one place.
 */
export function llmProviderContract(
  test: ContractTestApi,
  name: string,
  createFixture: () => Promise<LlmProviderFixture> | LlmProviderFixture,
): void {
  const { describe, it, beforeAll, afterAll } = test;
  describe(`LlmProvider contract: ${name}`, () => {
    let fixture: LlmProviderFixture;
    beforeAll(async () => {
      fixture = await createFixture();
    });
    afterAll(async () => {
      await fixture?.close?.();
    });

    it('answers a chat with content, usage, its name and a stop reason', async () => {
      const result = await fixture.provider.chat(question('Can annual plans be refunded?'));
      expect(result.content.length).toBeGreaterThan(0);
      expect(result.toolCalls).toEqual([]);
      expect(result.finishReason).toBe('stop');
      expect(result.provider).toBe(fixture.provider.name);
      expect(typeof result.model).toBe('string');
      expect(result.usage.promptTokens).toBeGreaterThan(0);
      expect(result.usage.completionTokens).toBeGreaterThan(0);
      expect(result.usage.cachedTokens).toBeGreaterThanOrEqual(0);
    });

    it('streams text deltas that concatenate to the chat answer, then exactly one done with usage', async () => {
      const request = question('How fast does support answer?');
      const whole = await fixture.provider.chat(request);
      const deltas = await collect(fixture.provider.stream(request));
      const done = deltas.filter((delta) => delta.type === 'done');
      expect(done).toHaveLength(1);
      expect(deltas[deltas.length - 1]?.type).toBe('done');
      const text = deltas.map((delta) => (delta.type === 'text' ? delta.text : '')).join('');
      expect(text).toBe(whole.content);
      const last = done[0] as Extract<ChatDelta, { type: 'done' }>;
      expect(last.usage?.promptTokens).toBeGreaterThan(0);
      expect(last.usage?.completionTokens).toBeGreaterThan(0);
      expect(last.finishReason).toBe('stop');
    });

    it('gives the context passages to the provider as part of the prompt', async () => {
      const result = await fixture.provider.chat(question('Are monthly plans refundable?'));
      if (fixture.capabilities.lastPromptText) {
        expect(fixture.capabilities.lastPromptText()).toContain('Monthly plans are not refundable.');
      }
      if (fixture.capabilities.citations) {
        expect(result.citations).toEqual([{ documentId: 'doc-1', chunkId: 'chunk-1' }]);
        expect(result.content).toContain('Monthly plans are not refundable.');
      }
    });

    it('rejects a call whose signal is already aborted with a typed error', async () => {
      const controller = new AbortController();
      controller.abort();
      const error = await fixture.provider
        .chat(question('anything'), { signal: controller.signal })
        .catch((caught: unknown) => caught);
      expect(LlmGatewayError.isInstance(error)).toBe(true);
      expect((error as LlmGatewayError).code).toBe('PROVIDER_TIMEOUT');
    });

    it('forces a tool call with JSON arguments, in chat and in stream (when it supports tools)', async () => {
      if (!fixture.capabilities.tools) return;
      const request: ChatRequest = {
        model: 'contract-model',
        messages: [{ role: 'user', content: 'weather in Paris' }],
        tools: [
          {
            name: 'get_weather',
            description: 'Current weather for a city',
            parameters: { type: 'object', properties: { input: { type: 'string' } }, required: ['input'] },
          },
        ],
        toolChoice: { name: 'get_weather' },
      };
      const result = await fixture.provider.chat(request);
      expect(result.finishReason).toBe('tool_calls');
      expect(result.toolCalls).toHaveLength(1);
      const call = result.toolCalls[0];
      expect(call?.name).toBe('get_weather');
      expect(call?.id.length).toBeGreaterThan(0);
      expect(typeof JSON.parse(call?.arguments ?? 'x')).toBe('object');

      const deltas = await collect(fixture.provider.stream(request));
      const fragments = deltas.filter((delta) => delta.type === 'tool_call');
      expect(fragments.length).toBeGreaterThan(0);
      expect(fragments.find((fragment) => fragment.name)?.name).toBe('get_weather');
      const args = fragments.map((fragment) => fragment.argumentsDelta).join('');
      expect(typeof JSON.parse(args)).toBe('object');
      expect(deltas[deltas.length - 1]).toMatchObject({ type: 'done', finishReason: 'tool_calls' });
    });

    it('maps a 429 to ProviderRateLimitedError with retryAfterMs (when it can be injected)', async () => {
      if (!fixture.capabilities.injectRateLimit) return;
      fixture.capabilities.injectRateLimit();
      const error = await fixture.provider.chat(question('anything')).catch((caught: unknown) => caught);
      expect(LlmGatewayError.isInstance(error)).toBe(true);
      expect((error as LlmGatewayError).code).toBe('PROVIDER_RATE_LIMITED');
      expect((error as { retryAfterMs?: number }).retryAfterMs).toBe(2000);
      expect((error as LlmGatewayError).isRetryable).toBe(true);
    });

    it('maps a server error to a retryable ProviderUnavailableError (when it can be injected)', async () => {
      if (!fixture.capabilities.injectServerError) return;
      fixture.capabilities.injectServerError();
      const error = await fixture.provider.chat(question('anything')).catch((caught: unknown) => caught);
      expect((error as LlmGatewayError).code).toBe('PROVIDER_UNAVAILABLE');
      expect((error as LlmGatewayError).isRetryable).toBe(true);
    });
  });
}
