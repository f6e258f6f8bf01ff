import type {
  CacheableMessage,
  CacheableRequest as CacheKeyRequest,
  JsonValue,
  LlmResponseCache,
} from '@ai-scale/cache';
import type { ChatResult } from '../../ports/llm-provider';
import type {
  CacheableRequest,
  CachedResponse,
  ResponseCacheHit,
  ResponseCacheHook,
} from '../../ports/response-cache-hook';

export interface CacheResponseCacheHookOptions {
  /** `@ai-scale/cache`'s `ResponseCache` (exact + optional semantic), or any `LlmResponseCache`. */
  readonly cache: LlmResponseCache;
  /**
   * Cache sampled answers too (temperature > 0 or unset). Default false: `@ai-scale/cache` then
   * only caches requests with `temperature: 0`.
   */
  readonly allowNonZeroTemperature?: boolean;
  /** Ask for semantic matches (when the cache has a semantic layer). Default: the cache's own default. */
  readonly semantic?: boolean;
}

function toCacheRequest(request: CacheableRequest, options: CacheResponseCacheHookOptions): CacheKeyRequest {
  const messages: CacheableMessage[] = request.messages.map((message) => {
    switch (message.role) {
      case 'assistant':
        return message.toolCalls && message.toolCalls.length > 0
          ? {
              role: 'assistant',
              content: message.content,
              toolCalls: message.toolCalls as unknown as JsonValue,
            }
          : { role: 'assistant', content: message.content };
      case 'tool':
        return { role: 'tool', content: message.content, toolCallId: message.toolCallId };
      default:
        return { role: message.role, content: message.content };
    }
  });
  const cachePolicy: { allowNonZeroTemperature?: boolean; semantic?: boolean } = {};
  if (options.allowNonZeroTemperature) cachePolicy.allowNonZeroTemperature = true;
  if (options.semantic !== undefined) cachePolicy.semantic = options.semantic;
  return {
    tenantId: request.tenantId,
    modelRoute: request.target,
    promptVersion: request.promptVersion,
    messages,
    temperature: request.temperature,
    maxTokens: request.maxTokens,
    seed: request.seed,
    stop: request.stop,
    tools: request.tools as unknown as JsonValue,
    toolChoice: request.toolChoice as unknown as JsonValue,
    responseFormat: request.responseFormat as unknown as JsonValue,
    // The passages decide the answer: they are part of the key (and of the semantic partition).
    extraParameters: request.context
      ? { context: request.context.map((passage) => [passage.documentId, passage.chunkId, passage.text]) }
      : undefined,
    cachePolicy,
  };
}

/** A stored value is trusted only if it still has the shape of a `ChatResult`. */
function asChatResult(value: unknown): ChatResult | undefined {
  const result = value as Partial<ChatResult> | null;
  if (
    result === null ||
    typeof result !== 'object' ||
    typeof result.content !== 'string' ||
    typeof result.model !== 'string' ||
    typeof result.provider !== 'string' ||
    typeof result.usage?.promptTokens !== 'number' ||
    typeof result.usage.completionTokens !== 'number'
  ) {
    return undefined;
  }
  return {
    ...result,
    toolCalls: result.toolCalls ?? [],
    finishReason: result.finishReason ?? 'stop',
  } as ChatResult;
}

/**
 * Plugs `@ai-scale/cache`'s response cache (exact keys, semantic matches, invalidation by tenant,
 * prompt version and cited document) into the gateway. Answers are stored with the documents they
 * cite (or, without citations, every document of their context), so `invalidateDocument` on any of
 * them stops serving the answer. Only type imports from `@ai-scale/cache`: the app passes the instance.
 */
export class CacheResponseCacheHook implements ResponseCacheHook {
  constructor(private readonly options: CacheResponseCacheHookOptions) {}

  async lookup(request: CacheableRequest): Promise<ResponseCacheHit | null> {
    const hit = await this.options.cache.lookup(toCacheRequest(request, this.options));
    if (!hit) return null;
    const result = asChatResult(hit.value);
    if (!result) return null;
    return { kind: hit.kind, value: { result, costUsd: hit.costUsd }, similarity: hit.similarity ?? 1 };
  }

  async store(request: CacheableRequest, value: CachedResponse): Promise<void> {
    const cited =
      value.result.citations?.map((citation) => citation.documentId) ??
      request.context?.map((passage) => passage.documentId) ??
      [];
    await this.options.cache.store(
      toCacheRequest(request, this.options),
      value.result as unknown as JsonValue,
      {
        citedDocumentIds: [...new Set(cited)],
        tokens: value.result.usage.promptTokens + value.result.usage.completionTokens,
        costUsd: value.costUsd ?? 0,
      },
    );
  }
}
