import type { JsonValue } from './json';

export type CacheableRole = 'system' | 'user' | 'assistant' | 'tool';

export interface CacheableMessage {
  readonly role: CacheableRole;
  /** Text, or structured content parts (JSON). Text is normalised (Unicode NFC, whitespace). */
  readonly content: string | JsonValue;
  readonly name?: string;
  readonly toolCallId?: string;
  readonly toolCalls?: JsonValue;
}

/**
 * Everything that determines a model's answer, as the cache sees it. Every field except
 * `cachePolicy` is part of the key: two requests share an entry only if all of them agree.
 */
export interface CacheableRequest {
  readonly tenantId: string;
  /** The model route or model id the gateway will use (`openai:gpt-4o-mini`, a route name...). */
  readonly modelRoute: string;
  /** Version of the prompt template that produced `messages`. */
  readonly promptVersion: string;
  readonly messages: readonly CacheableMessage[];
  readonly temperature?: number;
  readonly topP?: number;
  readonly maxTokens?: number;
  readonly seed?: number;
  readonly stop?: readonly string[];
  readonly tools?: JsonValue;
  readonly toolChoice?: JsonValue;
  readonly responseFormat?: JsonValue;
  /** Any other output-changing, provider-specific parameter; part of the key. */
  readonly extraParameters?: Readonly<Record<string, JsonValue>>;
  /** How to cache this request; NOT part of the key. */
  readonly cachePolicy?: CachePolicy;
}

export interface CachePolicy {
  /**
   * Requests with `temperature > 0` (or unset temperature, which providers default to ~1) are sampled
   * and are neither looked up nor stored unless this is true.
   */
  readonly allowNonZeroTemperature?: boolean;
  /** Also use the semantic cache for this request (default: the `ResponseCache` option). */
  readonly semantic?: boolean;
  /** Skip the cache entirely (no lookup, no store). */
  readonly bypass?: boolean;
  /** Overrides the cache's default TTL for the stored answer. */
  readonly ttlMs?: number;
}

export interface ResponseCacheHit {
  readonly kind: 'exact' | 'semantic';
  readonly value: JsonValue;
  /** Present for semantic hits. */
  readonly similarity?: number;
  /** The exact key of the entry served. */
  readonly key: string;
  readonly citedDocumentIds: readonly string[];
  /** Tokens and cost the original call spent, i.e. what this hit saved. */
  readonly tokens: number;
  readonly costUsd: number;
  readonly storedAt: number;
}

export interface ResponseCacheStoreOptions {
  /** Documents the answer cited: if any of them changes or is deleted, the answer is not served. */
  readonly citedDocumentIds?: readonly string[];
  /** Tokens (input + output) the call used, counted as saved by each later hit. */
  readonly tokens?: number;
  readonly costUsd?: number;
  /**
   * Document generations read BEFORE retrieval (`ResponseCache.documentGenerations`). Without it the
   * generations are read at store time, so a document changed while the model was answering would
   * go unnoticed; pass it to close that window.
   */
  readonly documentGenerations?: Readonly<Record<string, number>>;
}

export type StoreOutcome =
  | { readonly stored: true; readonly key: string }
  | { readonly stored: false; readonly reason: UncacheableReason };

export type UncacheableReason = 'bypass' | 'non-zero-temperature' | 'value-too-large' | 'cache-unavailable';

/**
 * The LLM response cache the gateway calls around a model call, and the server calls when tenants,
 * prompts and documents change.
 *
 * Guarantees:
 * - **Tenant isolation**: an entry stored for tenant A is never returned for tenant B (the tenant is
 *   in the namespace, in the key hash and in the semantic scope).
 * - **Exact keys** cover tenant, model route, prompt version, normalised messages and every
 *   output-changing parameter (`buildResponseCacheKey`).
 * - **Sampling**: temperature > 0 is not cached unless `cachePolicy.allowNonZeroTemperature`.
 * - **Invalidation is checked on read**: after `invalidateTenant`, `invalidatePromptVersion` or
 *   `invalidateDocument`, no answer stored before the call (for that tenant / prompt version /
 *   citing that document) is served again, exact or semantic, by any process sharing the backend.
 * - **Fail open**: if the backend is down, `lookup` returns `null` and `store` returns
 *   `{stored:false, reason:'cache-unavailable'}`; the request goes to the model.
 */
export interface LlmResponseCache {
  lookup(request: CacheableRequest): Promise<ResponseCacheHit | null>;
  store(
    request: CacheableRequest,
    response: JsonValue,
    options?: ResponseCacheStoreOptions,
  ): Promise<StoreOutcome>;
  /** Current generation of each document, to pass to `store` as `documentGenerations`. */
  documentGenerations(tenantId: string, documentIds: readonly string[]): Promise<Record<string, number>>;
  invalidateDocument(tenantId: string, documentId: string): Promise<void>;
  invalidateTenant(tenantId: string): Promise<void>;
  /** Without `tenantId`: every tenant's answers under this prompt version. */
  invalidatePromptVersion(promptVersion: string, tenantId?: string): Promise<void>;
}
