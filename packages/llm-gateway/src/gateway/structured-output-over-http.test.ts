import { AnthropicLlmProvider } from '../adapters/anthropic/anthropic-llm-provider';
import { MemoryUsageLedger } from '../adapters/memory';
import { OpenAiCompatibleLlmProvider } from '../adapters/openai-compatible/openai-compatible-llm-provider';
import { StructuredOutputInvalidError } from '../errors';
import type { ResponseFormat } from '../ports/llm-provider';
import { startFakeAnthropicServer, startFakeOpenAiServer } from '../testing';
import { ApproximateTokenCounter } from '../tokens/token-counter';
import { RoutingLlmGateway } from './routing-llm-gateway';

const CITY: ResponseFormat = {
  type: 'json_schema',
  name: 'city',
  schema: {
    type: 'object',
    properties: { city: { type: 'string' }, country: { type: 'string' } },
    required: ['city', 'country'],
    additionalProperties: false,
  },
};

/** First answer off-format; the answer to the repair turn decided by `repairAnswer`. */
const scripted =
  (repairAnswer: string) =>
  (body: unknown): string => {
    const text = JSON.stringify(body);
    return text.includes('does not match the required JSON format')
      ? repairAnswer
      : 'Sure! The city is Paris.';
  };

describe.each(['openai-compatible', 'anthropic'] as const)(
  'structured output over HTTP on the %s adapter (local protocol server): validated, repaired once, both calls billed',
  (adapter) => {
    async function gatewayAnswering(repairAnswer: string) {
      const ledger = new MemoryUsageLedger();
      if (adapter === 'openai-compatible') {
        const server = await startFakeOpenAiServer({ respond: scripted(repairAnswer) });
        const provider = new OpenAiCompatibleLlmProvider({ baseUrl: server.url, apiKey: 'k' });
        const gateway = new RoutingLlmGateway({
          providers: [{ provider }],
          models: [{ id: 'gpt-4o-mini', provider: 'openai', tier: 'small', contextWindow: 128_000 }],
          routes: { small: ['gpt-4o-mini'], large: [] },
          ledger,
          tokenCounter: new ApproximateTokenCounter(),
        });
        return { gateway, ledger, close: async () => (await provider.close(), await server.close()) };
      }
      const server = await startFakeAnthropicServer({ respond: scripted(repairAnswer) });
      const gateway = new RoutingLlmGateway({
        providers: [{ provider: new AnthropicLlmProvider({ apiKey: 'k', baseUrl: server.url }) }],
        models: [{ id: 'claude-haiku-4-5', provider: 'anthropic', tier: 'small', contextWindow: 200_000 }],
        routes: { small: ['claude-haiku-4-5'], large: [] },
        ledger,
        tokenCounter: new ApproximateTokenCounter(),
      });
      return { gateway, ledger, close: () => server.close() };
    }

    it('repairs an off-format answer once and reports and records both calls', async () => {
      const { gateway, ledger, close } = await gatewayAnswering(
        '```json\n{"city": "Paris", "country": "France"}\n```',
      );
      try {
        const result = await gateway.chat({
          tenantId: 't',
          requestId: 'structured-1',
          messages: [{ role: 'user', content: 'Name a city and its country.' }],
          responseFormat: CITY,
        });
        expect(result.repairs).toBe(1);
        expect(result.content).toContain('"country": "France"');
        const rows = ledger.all().filter((row) => row.requestId.startsWith('structured-1'));
        expect(rows.map((row) => row.requestId).sort()).toEqual(['structured-1', 'structured-1:repair']);
        const billed = rows.reduce((sum, row) => sum + row.costUsd, 0);
        expect(result.costUsd).toBeCloseTo(billed, 12);
        expect(result.usage.completionTokens).toBe(rows.reduce((sum, row) => sum + row.completionTokens, 0));
      } finally {
        await close();
      }
    });

    it('fails with STRUCTURED_OUTPUT_INVALID when the repair is off-format too, both calls billed', async () => {
      const { gateway, ledger, close } = await gatewayAnswering('{"city": "Paris"}');
      try {
        await expect(
          gateway.chat({
            tenantId: 't',
            requestId: 'structured-2',
            messages: [{ role: 'user', content: 'Name a city and its country.' }],
            responseFormat: CITY,
          }),
        ).rejects.toBeInstanceOf(StructuredOutputInvalidError);
        expect(ledger.all().filter((row) => row.requestId.startsWith('structured-2'))).toHaveLength(2);
      } finally {
        await close();
      }
    });
  },
);
