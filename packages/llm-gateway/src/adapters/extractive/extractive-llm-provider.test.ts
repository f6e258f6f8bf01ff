import { llmProviderContract } from '../../testing';
import {
  EXTRACTIVE_NO_CONTEXT,
  EXTRACTIVE_NO_MATCH,
  EXTRACTIVE_PREFIX,
  ExtractiveLlmProvider,
} from './extractive-llm-provider';

llmProviderContract({ describe, it, beforeAll, afterAll }, 'extractive', () => ({
  provider: new ExtractiveLlmProvider(),
  capabilities: { tools: false, citations: true },
}));

describe('ExtractiveLlmProvider', () => {
  const provider = new ExtractiveLlmProvider();
  const context = [
    {
      id: 'a',
      documentId: 'handbook',
      chunkId: 'c1',
      text: 'Our office is in Lyon. The cafeteria opens at noon.',
    },
    {
      id: 'b',
      documentId: 'billing',
      chunkId: 'c7',
      text: 'Invoices are sent on the first day of each month. Refunds take five business days to arrive.',
    },
  ];

  it('quotes the most relevant sentence, says it is extractive, and cites its passage', async () => {
    const result = await provider.chat({
      model: 'extractive',
      messages: [{ role: 'user', content: 'How long do refunds take?' }],
      context,
    });
    expect(result.content.startsWith(EXTRACTIVE_PREFIX)).toBe(true);
    expect(result.content).toContain('"Refunds take five business days to arrive." [1]');
    expect(result.citations?.[0]).toEqual({ documentId: 'billing', chunkId: 'c7' });
    expect(result.content).not.toContain('cafeteria');
  });

  it('is deterministic', async () => {
    const request = {
      model: 'extractive',
      messages: [{ role: 'user' as const, content: 'when are invoices sent and where is the office' }],
      context,
    };
    const first = await provider.chat(request);
    expect((await provider.chat(request)).content).toBe(first.content);
  });

  it('says so honestly when there is no context or nothing matches', async () => {
    const none = await provider.chat({
      model: 'extractive',
      messages: [{ role: 'user', content: 'refunds?' }],
    });
    expect(none.content).toBe(EXTRACTIVE_NO_CONTEXT);
    expect(none.citations).toEqual([]);
    const nothing = await provider.chat({
      model: 'extractive',
      messages: [{ role: 'user', content: 'quantum chromodynamics' }],
      context,
    });
    expect(nothing.content).toBe(EXTRACTIVE_NO_MATCH);
  });

  it('answers JSON when a JSON response format is asked', async () => {
    const result = await provider.chat({
      model: 'extractive',
      messages: [{ role: 'user', content: 'How long do refunds take?' }],
      context,
      responseFormat: { type: 'json' },
    });
    expect(JSON.parse(result.content)).toMatchObject({
      extractive: true,
      citations: [{ documentId: 'billing', chunkId: 'c7' }],
    });
  });
});
