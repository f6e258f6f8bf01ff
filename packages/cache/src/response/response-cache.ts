import { createHash } from 'node:crypto';
import { SpanStatusCode, trace, type MeterProvider } from '@opentelemetry/api';
import { ATTR, SPAN } from '@ai-scale/telemetry';
import { AiScaleError } from '@ai-scale/errors';
import { CacheValueTooLargeError } from '../errors/cache-value-too-large.error';
import { InvalidCacheKeyError } from '../errors/invalid-cache-key.error';
import { InvalidCacheOptionsError } from '../errors/invalid-cache-options.error';
import { createCacheInstruments, type CacheInstruments } from '../internal/metrics';
import { assertEntryOptions } from '../internal/validation';
import type { JsonValue } from '../ports/json';
import type { KeyValueCache } from '../ports/key-value-cache';
import type {
  CacheableRequest,
  LlmResponseCache,
  ResponseCacheHit,
  ResponseCacheStoreOptions,
  StoreOutcome,
} from '../ports/response-cache';
import type { SemanticCache } from '../ports/semantic-cache';
import {
  buildResponseCacheKey,
  cacheability,
  semanticParts,
  validateCacheableRequest,
} from './response-cache-key';

export interface ResponseCacheOptions {
  /** Where answers and invalidation counters live (memory or redis). */
  readonly store: KeyValueCache;
  /** Optional semantic layer; without it only exact hits are served. */
  readonly semantic?: SemanticCache;
  /** Use the semantic layer for requests that do not say (`cachePolicy.semantic`). Default true. */
  readonly semanticByDefault?: boolean;
  /** TTL of stored answers. Default 1 hour. */
  readonly defaultTtlMs?: number;
  /** Namespace prefix in the store. Default `llm`. */
  readonly namespacePrefix?: string;
  readonly meterProvider?: MeterProvider;
  readonly now?: () => number;
}

/** An answer as stored, with the invalidation generations it was valid for. */
interface StoredAnswer {
  readonly r: JsonValue;
  /** Tenant generation. */
  readonly g: number;
  /** Prompt-version generations: [global, tenant]. */
  readonly p: [number, number];
  /** Generation of each cited document. */
  readonly d: Record<string, number>;
  readonly tok: number;
  readonly usd: number;
  readonly at: number;
}

/** The entry a semantic match points to: the exact key of the answer. */
interface SemanticPointer {
  readonly k: string;
}

const TENANT_COUNTER = 'tenant';
const promptCounter = (promptVersion: string): string => `pv:${promptVersion}`;
const documentCounter = (documentId: string): string => `doc:${documentId}`;

/** Our own validation errors (a malformed request or value) are the caller's bug and are thrown. */
const CALLER_ERRORS = new Set([
  'INVALID_CACHE_KEY',
  'INVALID_CACHE_REQUEST',
  'INVALID_CACHE_VALUE',
  'INVALID_CACHE_OPTIONS',
]);

function isCallerError(error: unknown): boolean {
  return AiScaleError.isInstance(error) && CALLER_ERRORS.has(error.code);
}

/**
 * The LLM response cache: exact answers in a `KeyValueCache`, an optional `SemanticCache` pointing at
 * them, and invalidation by generation counters kept in the same store and checked on every read:
 * - `invalidateTenant` bumps the tenant's counter (and clears its entries, to free space);
 * - `invalidatePromptVersion` bumps a counter for that version (global or per tenant);
 * - `invalidateDocument` bumps the document's counter; an answer records the generation of every
 *   document it cited, and one whose recorded generation is behind is not served (and is deleted).
 * Because the check reads the counters, it holds across processes sharing a Redis, and for semantic
 * hits too (they resolve to the exact entry and are checked the same way).
 */
export class ResponseCache implements LlmResponseCache {
  private readonly kv: KeyValueCache;
  private readonly semantic: SemanticCache | undefined;
  private readonly semanticByDefault: boolean;
  private readonly defaultTtlMs: number;
  private readonly prefix: string;
  private readonly instruments: CacheInstruments;
  private readonly now: () => number;

  constructor(options: ResponseCacheOptions) {
    assertEntryOptions({ ttlMs: options.defaultTtlMs });
    this.kv = options.store;
    this.semantic = options.semantic;
    this.semanticByDefault = options.semanticByDefault ?? true;
    this.defaultTtlMs = options.defaultTtlMs ?? 60 * 60 * 1000;
    this.prefix = options.namespacePrefix ?? 'llm';
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(this.prefix)) {
      throw new InvalidCacheOptionsError('namespacePrefix', 'expected 1-32 characters of [A-Za-z0-9_-]');
    }
    this.instruments = createCacheInstruments(options.meterProvider);
    this.now = options.now ?? Date.now;
  }

  /** Namespaces per tenant; the tenant id is hashed so any id fits the namespace alphabet. */
  private tenantNamespace(kind: 'r' | 'g', tenantId: string): string {
    if (typeof tenantId !== 'string' || tenantId.length === 0 || tenantId.length > 256) {
      throw new InvalidCacheKeyError('tenantId', 'must be a non-empty string of at most 256 characters');
    }
    const hash = createHash('sha256').update(tenantId).digest('base64url').slice(0, 22);
    return `${this.prefix}.${kind}:${hash}`;
  }

  private get globalNamespace(): string {
    return `${this.prefix}.g:global`;
  }

  private useSemantic(request: CacheableRequest): boolean {
    return this.semantic !== undefined && (request.cachePolicy?.semantic ?? this.semanticByDefault);
  }

  /** A `cache.lookup` span with the outcome (`result` hit|miss, `kind`), then the metrics. */
  async lookup(request: CacheableRequest): Promise<ResponseCacheHit | null> {
    validateCacheableRequest(request);
    if (!cacheability(request).cacheable) return null;
    return trace.getTracer('@ai-scale/cache').startActiveSpan(SPAN.cacheLookup, async (span) => {
      const started = performance.now();
      let hit: ResponseCacheHit | null = null;
      try {
        hit = await this.findExact(request, buildResponseCacheKey(request));
        if (hit === null && this.useSemantic(request)) hit = await this.findSemantic(request);
      } catch (error) {
        if (isCallerError(error)) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
          span.end();
          throw error;
        }
        // Fail open: an outage is a miss, the request goes to the model.
        span.recordException(error as Error);
        hit = null;
      }
      this.instruments.lookupDuration.record((performance.now() - started) / 1000);
      span.setAttributes({
        [ATTR.tenantId]: request.tenantId,
        [ATTR.cacheResult]: hit === null ? 'miss' : 'hit',
      });
      if (hit === null) {
        this.instruments.misses.add(1);
      } else {
        span.setAttribute(ATTR.cacheKind, hit.kind);
        if (hit.similarity !== undefined) span.setAttribute('ai_scale.cache.similarity', hit.similarity);
        this.instruments.hits.add(1, { [ATTR.cacheKind]: hit.kind });
        if (hit.tokens > 0) this.instruments.tokensSaved.add(hit.tokens, { [ATTR.cacheKind]: hit.kind });
        if (hit.costUsd > 0) this.instruments.costSaved.add(hit.costUsd, { [ATTR.cacheKind]: hit.kind });
      }
      span.end();
      return hit;
    });
  }

  private async findExact(request: CacheableRequest, key: string): Promise<ResponseCacheHit | null> {
    const namespace = this.tenantNamespace('r', request.tenantId);
    const answer = await this.kv.get<StoredAnswer & JsonValue>(namespace, key);
    if (answer === undefined) return null;
    if (!(await this.isCurrent(request.tenantId, request.promptVersion, answer))) {
      await this.kv.delete(namespace, key).catch(() => undefined);
      return null;
    }
    return {
      kind: 'exact',
      value: answer.r,
      key,
      citedDocumentIds: Object.keys(answer.d),
      tokens: answer.tok,
      costUsd: answer.usd,
      storedAt: answer.at,
    };
  }

  private async findSemantic(request: CacheableRequest): Promise<ResponseCacheHit | null> {
    const parts = semanticParts(request);
    if (parts === null || this.semantic === undefined) return null;
    const match = await this.semantic.lookup(
      { tenantId: request.tenantId, partition: parts.partition },
      parts.question,
    );
    if (match === null) return null;
    const pointer = match.value as unknown as Partial<SemanticPointer> | null;
    if (typeof pointer?.k !== 'string') return null; // not a pointer this cache wrote
    const exact = await this.findExact(request, pointer.k);
    return exact === null ? null : { ...exact, kind: 'semantic', similarity: match.similarity };
  }

  private async generations(
    tenantId: string,
    promptVersion: string,
    documentIds: readonly string[],
  ): Promise<{ tenant: number; prompt: [number, number]; documents: number[] }> {
    const [tenantCounters, globalCounters] = await Promise.all([
      this.kv.getCounters(this.tenantNamespace('g', tenantId), [
        TENANT_COUNTER,
        promptCounter(promptVersion),
        ...documentIds.map(documentCounter),
      ]),
      this.kv.getCounters(this.globalNamespace, [promptCounter(promptVersion)]),
    ]);
    const [tenant = 0, tenantPrompt = 0, ...documents] = tenantCounters;
    return { tenant, prompt: [globalCounters[0] ?? 0, tenantPrompt], documents };
  }

  private async isCurrent(tenantId: string, promptVersion: string, answer: StoredAnswer): Promise<boolean> {
    const documentIds = Object.keys(answer.d);
    const current = await this.generations(tenantId, promptVersion, documentIds);
    return (
      current.tenant === answer.g &&
      current.prompt[0] === answer.p[0] &&
      current.prompt[1] === answer.p[1] &&
      documentIds.every((id, index) => current.documents[index] === answer.d[id])
    );
  }

  async store(
    request: CacheableRequest,
    response: JsonValue,
    options: ResponseCacheStoreOptions = {},
  ): Promise<StoreOutcome> {
    validateCacheableRequest(request);
    const verdict = cacheability(request);
    if (!verdict.cacheable) return { stored: false, reason: verdict.reason };
    const ttlMs = request.cachePolicy?.ttlMs ?? this.defaultTtlMs;
    assertEntryOptions({ ttlMs });
    const documentIds = [...new Set(options.citedDocumentIds ?? [])];
    documentIds.forEach((id) => {
      if (typeof id !== 'string' || id.length === 0 || id.length > 512) {
        throw new InvalidCacheKeyError(
          'key',
          'cited document ids must be non-empty strings of at most 512 characters',
        );
      }
    });
    const key = buildResponseCacheKey(request);
    try {
      const current = await this.generations(request.tenantId, request.promptVersion, documentIds);
      const answer: StoredAnswer = {
        r: response,
        g: current.tenant,
        p: current.prompt,
        d: Object.fromEntries(
          documentIds.map((id, index) => [
            id,
            options.documentGenerations?.[id] ?? current.documents[index] ?? 0,
          ]),
        ),
        tok: options.tokens ?? 0,
        usd: options.costUsd ?? 0,
        at: this.now(),
      };
      await this.kv.set(this.tenantNamespace('r', request.tenantId), key, answer as unknown as JsonValue, {
        ttlMs,
      });
      const parts = this.useSemantic(request) ? semanticParts(request) : null;
      if (parts !== null && this.semantic !== undefined) {
        const pointer: SemanticPointer = { k: key };
        // The exact answer is stored: a failing semantic layer only costs future paraphrase hits.
        await this.semantic
          .store(
            { tenantId: request.tenantId, partition: parts.partition },
            parts.question,
            pointer as unknown as JsonValue,
            { ttlMs },
          )
          .catch(() => undefined);
      }
      return { stored: true, key };
    } catch (error) {
      if (error instanceof CacheValueTooLargeError) return { stored: false, reason: 'value-too-large' };
      if (isCallerError(error)) throw error;
      return { stored: false, reason: 'cache-unavailable' };
    }
  }

  async documentGenerations(
    tenantId: string,
    documentIds: readonly string[],
  ): Promise<Record<string, number>> {
    const ids = [...new Set(documentIds)];
    const counters = await this.kv.getCounters(this.tenantNamespace('g', tenantId), ids.map(documentCounter));
    return Object.fromEntries(ids.map((id, index) => [id, counters[index] ?? 0]));
  }

  async invalidateDocument(tenantId: string, documentId: string): Promise<void> {
    if (typeof documentId !== 'string' || documentId.length === 0)
      throw new InvalidCacheKeyError('key', 'documentId must not be empty');
    await this.kv.increment(this.tenantNamespace('g', tenantId), documentCounter(documentId));
  }

  async invalidateTenant(tenantId: string): Promise<void> {
    await this.kv.increment(this.tenantNamespace('g', tenantId), TENANT_COUNTER);
    // The counter alone makes old answers unservable; clearing frees their space now.
    await this.kv.clearNamespace(this.tenantNamespace('r', tenantId));
    await this.semantic?.clearTenant(tenantId);
  }

  async invalidatePromptVersion(promptVersion: string, tenantId?: string): Promise<void> {
    if (typeof promptVersion !== 'string' || promptVersion.length === 0) {
      throw new InvalidCacheKeyError('key', 'promptVersion must not be empty');
    }
    const namespace = tenantId === undefined ? this.globalNamespace : this.tenantNamespace('g', tenantId);
    await this.kv.increment(namespace, promptCounter(promptVersion));
  }
}
