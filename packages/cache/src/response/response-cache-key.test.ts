import type { CacheableRequest } from '../ports/response-cache';
import { buildResponseCacheKey, cacheability, semanticParts } from './response-cache-key';

const base: CacheableRequest = {
  tenantId: 'tenant-a',
  modelRoute: 'openai:gpt-4o-mini',
  promptVersion: 'answer@3',
  messages: [
    { role: 'system', content: 'Answer from the context.' },
    { role: 'user', content: 'How do I rotate an API key?' },
  ],
  temperature: 0,
  maxTokens: 256,
  tools: [{ name: 'search', parameters: { type: 'object', properties: { q: { type: 'string' } } } }],
  responseFormat: { type: 'json_object' },
  seed: 7,
};

describe('buildResponseCacheKey', () => {
  it('is stable and ignores whitespace, line endings and object key order', () => {
    const variant: CacheableRequest = {
      ...base,
      messages: [
        { role: 'system', content: '  Answer from the context.\r\n' },
        { role: 'user', content: 'How do I  rotate an\tAPI key?' },
      ],
      tools: [{ parameters: { properties: { q: { type: 'string' } }, type: 'object' }, name: 'search' }],
    };
    expect(buildResponseCacheKey(variant)).toBe(buildResponseCacheKey(base));
    expect(buildResponseCacheKey(base)).toMatch(/^v1:[A-Za-z0-9_-]{43}$/);
  });

  it('does not depend on the cache policy', () => {
    expect(buildResponseCacheKey({ ...base, cachePolicy: { ttlMs: 5, semantic: false } })).toBe(
      buildResponseCacheKey(base),
    );
  });

  const changes: Array<[string, Partial<CacheableRequest>]> = [
    ['tenant', { tenantId: 'tenant-b' }],
    ['model route', { modelRoute: 'anthropic:claude' }],
    ['prompt version', { promptVersion: 'answer@4' }],
    ['message text', { messages: [{ role: 'user', content: 'How do I rotate an API key' }] }],
    [
      'message case',
      { messages: [base.messages[0]!, { role: 'user', content: 'how do I rotate an API key?' }] },
    ],
    [
      'message role',
      { messages: [base.messages[0]!, { role: 'assistant', content: 'How do I rotate an API key?' }] },
    ],
    ['temperature', { temperature: 0.2 }],
    ['unset temperature', { temperature: undefined }],
    ['max tokens', { maxTokens: 512 }],
    ['seed', { seed: 8 }],
    ['top-p', { topP: 0.5 }],
    ['stop sequences', { stop: ['\n\n'] }],
    ['tools', { tools: [{ name: 'search' }] }],
    ['tool choice', { toolChoice: 'required' }],
    ['response format', { responseFormat: { type: 'text' } }],
    ['extra parameters', { extraParameters: { presencePenalty: 0.5 } }],
  ];
  it.each(changes)('changes with the %s', (_name, change) => {
    expect(buildResponseCacheKey({ ...base, ...change })).not.toBe(buildResponseCacheKey(base));
  });

  it('rejects malformed requests with typed errors', () => {
    const bad: Array<[Partial<CacheableRequest>, string]> = [
      [{ tenantId: '' }, 'INVALID_CACHE_KEY'],
      [{ modelRoute: ' ' }, 'INVALID_CACHE_REQUEST'],
      [{ promptVersion: '' }, 'INVALID_CACHE_REQUEST'],
      [{ messages: [] }, 'INVALID_CACHE_REQUEST'],
      [{ messages: [{ role: 'robot' as 'user', content: 'x' }] }, 'INVALID_CACHE_REQUEST'],
      [{ temperature: -1 }, 'INVALID_CACHE_REQUEST'],
      [{ maxTokens: 1.5 }, 'INVALID_CACHE_REQUEST'],
      [{ topP: 2 }, 'INVALID_CACHE_REQUEST'],
    ];
    for (const [change, code] of bad) {
      expect(() => buildResponseCacheKey({ ...base, ...change })).toThrow(expect.objectContaining({ code }));
    }
  });
});

describe('cacheability', () => {
  it('caches temperature 0 and refuses sampled requests unless allowed', () => {
    expect(cacheability(base)).toEqual({ cacheable: true });
    expect(cacheability({ ...base, temperature: 0.7 })).toEqual({
      cacheable: false,
      reason: 'non-zero-temperature',
    });
    expect(cacheability({ ...base, temperature: undefined })).toEqual({
      cacheable: false,
      reason: 'non-zero-temperature',
    });
    expect(
      cacheability({ ...base, temperature: 0.7, cachePolicy: { allowNonZeroTemperature: true } }),
    ).toEqual({
      cacheable: true,
    });
    expect(cacheability({ ...base, cachePolicy: { bypass: true } })).toEqual({
      cacheable: false,
      reason: 'bypass',
    });
  });
});

describe('semanticParts', () => {
  it('splits the last user question from a partition that covers everything else', () => {
    const parts = semanticParts(base);
    expect(parts?.question).toBe('How do I rotate an API key?');
    const paraphrase = semanticParts({
      ...base,
      messages: [base.messages[0]!, { role: 'user', content: 'Rotating API keys: how?' }],
    });
    expect(paraphrase?.partition).toBe(parts?.partition);
    expect(semanticParts({ ...base, maxTokens: 10 })?.partition).not.toBe(parts?.partition);
    expect(semanticParts({ ...base, promptVersion: 'answer@4' })?.partition).not.toBe(parts?.partition);
    expect(
      semanticParts({ ...base, messages: [{ role: 'user', content: 'other context' }, base.messages[1]!] })
        ?.partition,
    ).not.toBe(parts?.partition);
  });

  it('has no question when the last message is not user text', () => {
    expect(semanticParts({ ...base, messages: [{ role: 'assistant', content: 'hi' }] })).toBeNull();
    expect(semanticParts({ ...base, messages: [{ role: 'user', content: [{ type: 'image' }] }] })).toBeNull();
  });
});
