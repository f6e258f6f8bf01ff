import { TierRouter } from './tier-router';

describe('TierRouter', () => {
  const request = (content: string, extra: object = {}) => ({
    messages: [{ role: 'user' as const, content }],
    promptTokens: 10,
    ...extra,
  });

  it('classifies by tokens, tools, keywords, turns and length, defaulting to small', () => {
    const router = new TierRouter();
    expect(router.classify(request('hours?'))).toEqual({ tier: 'small', reason: 'default' });
    expect(router.classify(request('hours?', { promptTokens: 5_000 })).reason).toBe('minPromptTokens');
    expect(router.classify(request('Why is the sky blue?')).reason).toBe('keywords');
    expect(router.classify(request('x'.repeat(1_300))).reason).toBe('minQuestionChars');
    expect(
      router.classify(request('hi', { tools: [{ name: 't', description: 'd', parameters: {} }] })).reason,
    ).toBe('toolsPresent');
  });

  it('takes a custom rule set', () => {
    const router = new TierRouter({ keywords: [], minPassages: 3, jsonSchema: true });
    expect(router.classify(request('why?')).tier).toBe('small');
    const passages = Array.from({ length: 3 }, (_, index) => ({
      id: `${index}`,
      documentId: 'd',
      chunkId: `${index}`,
      text: 't',
    }));
    expect(router.classify(request('q', { context: passages })).reason).toBe('minPassages');
    expect(
      router.classify(request('q', { responseFormat: { type: 'json_schema', name: 'n', schema: {} } }))
        .reason,
    ).toBe('jsonSchema');
  });
});
