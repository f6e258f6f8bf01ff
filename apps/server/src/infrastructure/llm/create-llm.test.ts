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
});
