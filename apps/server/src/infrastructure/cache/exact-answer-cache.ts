import { createHash } from 'node:crypto';
import {
  type CacheableRequest,
  type JsonValue,
  type KeyValueCache,
  type LlmResponseCache,
  type ResponseCacheHit,
  type ResponseCacheStoreOptions,
  type StoreOutcome,
} from '@ai-scale/cache';

interface StoredAnswer {
  readonly value: JsonValue;
  readonly cited: Record<string, number>;
  readonly tenantGeneration: number;
  readonly tokens: number;
  readonly costUsd: number;
  readonly storedAt: number;
}

/**
 * TODO(cache): replace with the ResponseCache of @ai-scale/cache (exact + semantic) once exported.
 * A minimal exact-match answer cache over any KeyValueCache, honouring the LlmResponseCache port:
 * tenant in the namespace and the key, invalidation checked on read through generation counters
 * (a document's counter moves on delete; a stored answer remembers the counters of what it cited).
 */
export class ExactAnswerCache implements LlmResponseCache {
  constructor(
    private readonly cache: KeyValueCache,
    private readonly ttlMs: number,
  ) {}

  async lookup(request: CacheableRequest): Promise<ResponseCacheHit | null> {
    if (!this.cacheable(request)) return null;
    try {
      const key = keyOf(request);
      const stored = await this.cache.get<StoredAnswer & JsonValue>(namespaceOf(request.tenantId), key);
      if (!stored) return null;
      const cited = Object.keys(stored.cited);
      const [tenantGeneration, ...generations] = await this.cache.getCounters(
        generationNamespace(request.tenantId),
        ['__tenant__', ...cited],
      );
      if (tenantGeneration !== stored.tenantGeneration) return null;
      if (cited.some((documentId, index) => generations[index] !== stored.cited[documentId])) return null;
      return {
        kind: 'exact',
        value: stored.value,
        key,
        citedDocumentIds: cited,
        tokens: stored.tokens,
        costUsd: stored.costUsd,
        storedAt: stored.storedAt,
      };
    } catch {
      return null;
    }
  }

  async store(
    request: CacheableRequest,
    response: JsonValue,
    options: ResponseCacheStoreOptions = {},
  ): Promise<StoreOutcome> {
    if (request.cachePolicy?.bypass) return { stored: false, reason: 'bypass' };
    if (!this.cacheable(request)) return { stored: false, reason: 'non-zero-temperature' };
    try {
      const cited = [...new Set(options.citedDocumentIds ?? [])];
      const generations =
        options.documentGenerations ?? (await this.documentGenerations(request.tenantId, cited));
      const [tenantGeneration] = await this.cache.getCounters(generationNamespace(request.tenantId), [
        '__tenant__',
      ]);
      const key = keyOf(request);
      const stored: StoredAnswer = {
        value: response,
        cited: Object.fromEntries(cited.map((documentId) => [documentId, generations[documentId] ?? 0])),
        tenantGeneration: tenantGeneration ?? 0,
        tokens: options.tokens ?? 0,
        costUsd: options.costUsd ?? 0,
        storedAt: Date.now(),
      };
      await this.cache.set(namespaceOf(request.tenantId), key, stored as unknown as JsonValue, {
        ttlMs: request.cachePolicy?.ttlMs ?? this.ttlMs,
      });
      return { stored: true, key };
    } catch {
      return { stored: false, reason: 'cache-unavailable' };
    }
  }

  async documentGenerations(
    tenantId: string,
    documentIds: readonly string[],
  ): Promise<Record<string, number>> {
    if (documentIds.length === 0) return {};
    const counters = await this.cache.getCounters(generationNamespace(tenantId), documentIds);
    return Object.fromEntries(documentIds.map((documentId, index) => [documentId, counters[index] ?? 0]));
  }

  async invalidateDocument(tenantId: string, documentId: string): Promise<void> {
    await this.cache.increment(generationNamespace(tenantId), documentId);
  }

  async invalidateTenant(tenantId: string): Promise<void> {
    await this.cache.increment(generationNamespace(tenantId), '__tenant__');
  }

  async invalidatePromptVersion(_promptVersion: string, tenantId?: string): Promise<void> {
    if (tenantId) await this.invalidateTenant(tenantId);
  }

  private cacheable(request: CacheableRequest): boolean {
    if (request.cachePolicy?.bypass) return false;
    return (request.temperature ?? 1) === 0 || request.cachePolicy?.allowNonZeroTemperature === true;
  }
}

const namespaceOf = (tenantId: string): string => `answers:${tenantId}`;
const generationNamespace = (tenantId: string): string => `answer-generations:${tenantId}`;

function keyOf(request: CacheableRequest): string {
  const { cachePolicy: _policy, ...keyed } = request;
  const normalised = {
    ...keyed,
    messages: request.messages.map((message) => ({
      ...message,
      content:
        typeof message.content === 'string'
          ? message.content.normalize('NFC').replace(/\s+/g, ' ').trim()
          : message.content,
    })),
  };
  return createHash('sha256').update(JSON.stringify(normalised)).digest('hex');
}
