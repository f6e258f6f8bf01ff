import type { ChatParameters, ChatResult } from './llm-provider';
import type { CacheKind } from './usage-ledger';

/** What the gateway asks a response cache about: enough to key a prompt per tenant and model tier. */
export interface CacheableRequest extends ChatParameters {
  readonly tenantId: string;
  /** The routing target: the explicit model, or `tier:<small|large>`. Answers never cross targets. */
  readonly target: string;
  /** The prompt as one canonical string (messages, context ids, tools, response format, temperature). */
  readonly key: string;
  /** The last user message: what a semantic cache embeds. */
  readonly question: string;
  /** Version of the prompt template (`GatewayChatRequest.promptVersion`, default `default`). */
  readonly promptVersion: string;
}

export interface CachedResponse {
  readonly result: ChatResult;
  /** What the call cost when it was made (what every later hit saves). */
  readonly costUsd?: number;
}

export interface ResponseCacheHit {
  readonly kind: CacheKind;
  readonly value: CachedResponse;
  /** Similarity of the semantic match (1 for exact). */
  readonly similarity: number;
}

/**
 * The small interface the gateway calls for response caching, so it does not depend on one cache
 * implementation. Guarantees: `lookup` never returns another tenant's answer; a failing hook is
 * treated as a miss (the gateway catches and carries on), so a cache outage never fails a call.
 */
export interface ResponseCacheHook {
  lookup(request: CacheableRequest): Promise<ResponseCacheHit | null>;
  store(request: CacheableRequest, value: CachedResponse): Promise<void>;
}
