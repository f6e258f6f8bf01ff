import { parseConfig } from '../../config';
import { createLlm } from './create-llm';

const ask = (tier?: 'small' | 'large') => ({
  tenantId: 'tenant-a',
  requestId: `request-${tier ?? 'auto'}-${Math.random()}`,
  messages: [{ role: 'user' as const, content: 'What is the refund window?' }],
  context: [{ id: 'p1', documentId: 'd1', chunkId: 'c1', text: 'The refund window is 30 days.' }],
  temperature: 0,
  ...(tier ? { tier } : {}),
});

describe('createLlm (model tiers from the configuration)', () => {
  it('routes the small tier to LLM_SMALL_PROVIDERS and the large tier to LLM_PROVIDERS', async () => {
    const config = parseConfig({ LLM_PROVIDERS: 'fake:big-model', LLM_SMALL_PROVIDERS: 'extractive' });
    const { gateway, models } = await createLlm(config, undefined);
    expect(models).toEqual(['big-model', 'extractive']);
    expect((await gateway.chat(ask('large'))).model).toBe('big-model');
    expect((await gateway.chat(ask('small'))).model).toBe('extractive');
  });

  it('uses the large chain for both tiers when LLM_SMALL_PROVIDERS is unset', async () => {
    const { gateway, models } = await createLlm(
      parseConfig({ LLM_PROVIDERS: 'fake:big-model,extractive' }),
      undefined,
    );
    expect(models).toEqual(['big-model', 'extractive']);
    expect((await gateway.chat(ask('small'))).model).toBe('big-model');
  });

  it('refuses a malformed LLM_SMALL_PROVIDERS at start, naming it', () => {
    expect(() => parseConfig({ LLM_SMALL_PROVIDERS: 'nonsense:model' })).toThrow(/LLM_SMALL_PROVIDERS/);
  });

  it('refuses at start-up a configured model the price table cannot price, unless LLM_UNKNOWN_MODEL_PRICE says how', async () => {
    const config = {
      LLM_PROVIDERS: 'openai-compatible:my-finetune',
      OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
      OPENAI_API_KEY: 'k',
    };
    await expect(createLlm(parseConfig(config), undefined)).rejects.toMatchObject({
      code: 'UNKNOWN_MODEL_PRICE',
      models: ['my-finetune'],
    });
    await expect(
      createLlm(parseConfig({ ...config, LLM_UNKNOWN_MODEL_PRICE: '2.5' }), undefined),
    ).resolves.toBeDefined();
    await expect(
      createLlm(parseConfig({ ...config, LLM_UNKNOWN_MODEL_PRICE: 'zero' }), undefined),
    ).resolves.toBeDefined();
    expect(() => parseConfig({ LLM_UNKNOWN_MODEL_PRICE: 'free' })).toThrow(/LLM_UNKNOWN_MODEL_PRICE/);
    // Today's models are priced out of the box.
    const known = await createLlm(
      parseConfig({
        ...config,
        LLM_PROVIDERS: 'openai-compatible:gpt-4.1-mini,anthropic:claude-haiku-4-5',
        ANTHROPIC_API_KEY: 'k',
      }),
      undefined,
    );
    expect(known.models).toEqual(['gpt-4.1-mini', 'claude-haiku-4-5']);
  });

  it('applies LLM_TENANT_TOKENS_PER_MINUTE with a 429-mapped error and a Retry-After', async () => {
    const { gateway } = await createLlm(
      parseConfig({ LLM_PROVIDERS: 'extractive', LLM_TENANT_TOKENS_PER_MINUTE: '300' }),
      undefined,
    );
    // The extractive model's output reserve is 1,024 tokens: more than the whole minute's 300 after the first call.
    await expect(gateway.chat({ ...ask('small'), maxTokens: 200 })).resolves.toBeDefined();
    await expect(gateway.chat({ ...ask('small'), maxTokens: 200 })).rejects.toMatchObject({
      code: 'TENANT_TOKEN_RATE_LIMITED',
      details: expect.objectContaining({ retryAfterSeconds: expect.any(Number) }),
    });
  });
});
