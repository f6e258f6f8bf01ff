import type { PriceTable } from '../pricing/price-table';
import type { GatewayChatRequest, GatewayChatResult } from '../ports/llm-gateway';
import type { ChatResult } from '../ports/llm-provider';
import type { CacheableRequest, ResponseCacheHook } from '../ports/response-cache-hook';
import type { CacheKind } from '../ports/usage-ledger';
import { lastUserText } from '../prompt/render-context';
import { NO_TRIM, type Plan } from './gateway-options';
import type { UsageRecorder } from './usage-recorder';

const NO_USAGE = Object.freeze({ promptTokens: 0, completionTokens: 0, cachedTokens: 0 });

/**
 * The response-cache hook around a call: the cache request of a plan, lookup and store (a failing
 * hook is a miss, reported to `onError`), and the answer a hit becomes (cost 0, recorded with what
 * it saved). Tool-call answers are never stored.
 */
export class ResponseCacheStep {
  constructor(
    private readonly hook: ResponseCacheHook | undefined,
    private readonly prices: PriceTable,
    private readonly recorder: UsageRecorder,
    private readonly onError: ((error: unknown, where: 'cache') => void) | undefined,
  ) {}

  /** The cache request of a call, or undefined when the call does not use the cache. */
  requestFor(request: GatewayChatRequest, plan: Plan): CacheableRequest | undefined {
    if (!this.hook || request.noCache) return undefined;
    return {
      tenantId: request.tenantId,
      target: plan.target,
      key: JSON.stringify([
        request.promptVersion,
        request.messages,
        request.context?.map((passage) => [passage.documentId, passage.chunkId, passage.text]),
        request.tools,
        request.toolChoice,
        request.responseFormat,
        request.temperature,
        request.maxTokens,
        request.seed,
        request.stop,
      ]),
      question: lastUserText(request.messages),
      promptVersion: request.promptVersion ?? 'default',
      messages: request.messages,
      context: request.context,
      tools: request.tools,
      toolChoice: request.toolChoice,
      responseFormat: request.responseFormat,
      temperature: request.temperature,
      maxTokens: request.maxTokens,
      seed: request.seed,
      stop: request.stop,
    };
  }

  async lookup(request: CacheableRequest): Promise<{ kind: CacheKind; result: ChatResult } | undefined> {
    try {
      const hit = await (this.hook as ResponseCacheHook).lookup(request);
      return hit ? { kind: hit.kind, result: hit.value.result } : undefined;
    } catch (error) {
      this.onError?.(error, 'cache');
      return undefined;
    }
  }

  async store(request: CacheableRequest, result: ChatResult, costUsd: number): Promise<void> {
    if (result.toolCalls.length > 0) return;
    try {
      await (this.hook as ResponseCacheHook).store(request, { result, costUsd });
    } catch (error) {
      this.onError?.(error, 'cache');
    }
  }

  /** The gateway's answer from a cache hit, recorded in the ledger with the tokens and cost it saved. */
  async answer(
    request: GatewayChatRequest,
    plan: Plan,
    cached: ChatResult,
    kind: CacheKind,
  ): Promise<GatewayChatResult> {
    const savedCostUsd = this.prices.cost(cached.model, cached.usage);
    await this.recorder.record(request, {
      provider: cached.provider,
      model: cached.model,
      usage: NO_USAGE,
      costUsd: 0,
      cacheKind: kind,
      savedTokens: cached.usage.promptTokens + cached.usage.completionTokens,
      savedCostUsd,
    });
    return {
      ...cached,
      requestId: request.requestId,
      tier: plan.tier,
      costUsd: 0,
      cache: kind,
      savedCostUsd,
      attempts: [],
      fallbacks: 0,
      downgraded: plan.downgraded,
      trimmed: NO_TRIM,
    };
  }
}
