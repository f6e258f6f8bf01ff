import { llmProviderContract } from '../../testing';
import { ProviderRateLimitedError } from '../../errors/provider-rate-limited.error';
import { FakeLlmProvider } from './fake-llm-provider';

llmProviderContract({ describe, it, beforeAll, afterAll }, 'fake', () => {
  const provider = new FakeLlmProvider();
  return {
    provider,
    capabilities: {
      tools: true,
      citations: false,
      lastPromptText: () => JSON.stringify(provider.lastRequest),
      injectRateLimit: () =>
        provider.script.push(
          new ProviderRateLimitedError({ message: '429', provider: 'fake', retryAfterMs: 2000 }),
        ),
    },
  };
});

describe('FakeLlmProvider', () => {
  it('plays its script in order, then answers', async () => {
    const provider = new FakeLlmProvider({ respond: 'ok', script: [new Error('first'), null] });
    const request = { model: 'm', messages: [{ role: 'user' as const, content: 'hi' }] };
    await expect(provider.chat(request)).rejects.toThrow('first');
    await expect(provider.chat(request)).resolves.toMatchObject({ content: 'ok' });
    expect(provider.calls).toBe(2);
  });

  it('fails a seeded share of calls, the same ones on every run', async () => {
    const outcomes = async (): Promise<string> => {
      const provider = new FakeLlmProvider({ failureRate: 0.3, seed: 1 });
      let pattern = '';
      for (let i = 0; i < 50; i++) {
        pattern += await provider.chat({ model: 'm', messages: [{ role: 'user', content: 'x' }] }).then(
          () => '.',
          () => 'x',
        );
      }
      return pattern;
    };
    const first = await outcomes();
    expect(first).toBe(await outcomes());
    expect(first).toContain('x');
    expect(first).toContain('.');
  });
});
