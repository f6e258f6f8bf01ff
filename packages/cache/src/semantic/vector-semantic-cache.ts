import { createHash } from 'node:crypto';
import { EmbeddingDimensionMismatchError } from '../errors/embedding-dimension-mismatch.error';
import { InvalidCacheKeyError } from '../errors/invalid-cache-key.error';
import { InvalidCacheOptionsError } from '../errors/invalid-cache-options.error';
import { assertEntryOptions, serializeValue } from '../internal/validation';
import type { CacheEmbedder } from '../ports/embedder';
import type { JsonValue } from '../ports/json';
import type {
  SemanticCache,
  SemanticHit,
  SemanticLookupDiagnostics,
  SemanticScope,
  SemanticStoreOptions,
} from '../ports/semantic-cache';
import type { VectorIndex } from '../ports/vector-index';
import { normalizeQuery } from '../response/normalize';
import { compareKeyTerms, extractKeyTerms, type KeyTermDifference, type KeyTerms } from './key-terms';

export interface VectorSemanticCacheOptions {
  readonly embedder: CacheEmbedder;
  readonly index: VectorIndex;
  /**
   * Least cosine similarity for a hit, in [0, 1]. It depends on the embedder: measure it on your data
   * (the bench scenario `cache` reports hit and false-hit rates). Default 0.9.
   */
  readonly threshold?: number;
  /** Candidates checked (best first) before giving up on key-term mismatches. Default 4. */
  readonly candidates?: number;
  /** Verify numbers, dates, negations, entities and opposites after the vector match. Default true. */
  readonly keyTermGuard?: boolean;
  /** TTL of entries stored without one. Default 1 hour. */
  readonly defaultTtlMs?: number;
  readonly now?: () => number;
}

interface StoredPayload {
  /** The query as stored. */
  readonly q: string;
  readonly v: JsonValue;
  /** Expires at (epoch ms). */
  readonly x: number;
}

function tenantPrefix(tenantId: string): string {
  // Hashed: any tenant id becomes a fixed-length, separator-free partition prefix.
  return `t:${createHash('sha256').update(tenantId).digest('base64url').slice(0, 22)}/`;
}

/**
 * A `SemanticCache` over any `VectorIndex` and `CacheEmbedder`. Each (tenant, partition, embedder)
 * is its own index partition, so a query never meets another tenant's vectors. Lookups embed the
 * normalised query, take the best `candidates` matches and serve the first that reaches the threshold
 * and passes the key-term guard.
 */
export class VectorSemanticCache implements SemanticCache {
  private readonly embedder: CacheEmbedder;
  private readonly index: VectorIndex;
  private readonly threshold: number;
  private readonly candidates: number;
  private readonly keyTermGuard: boolean;
  private readonly defaultTtlMs: number;
  private readonly now: () => number;

  constructor(options: VectorSemanticCacheOptions) {
    const threshold = options.threshold ?? 0.9;
    if (!(threshold >= 0 && threshold <= 1))
      throw new InvalidCacheOptionsError('threshold', `must be in [0, 1], got ${threshold}`);
    const candidates = options.candidates ?? 4;
    if (!Number.isInteger(candidates) || candidates < 1) {
      throw new InvalidCacheOptionsError('candidates', `must be a positive integer, got ${candidates}`);
    }
    assertEntryOptions({ ttlMs: options.defaultTtlMs });
    this.embedder = options.embedder;
    this.index = options.index;
    this.threshold = threshold;
    this.candidates = candidates;
    this.keyTermGuard = options.keyTermGuard ?? true;
    this.defaultTtlMs = options.defaultTtlMs ?? 60 * 60 * 1000;
    this.now = options.now ?? Date.now;
  }

  private partitionOf(scope: SemanticScope): string {
    if (typeof scope?.tenantId !== 'string' || scope.tenantId.length === 0) {
      throw new InvalidCacheKeyError('tenantId', 'a semantic scope needs a non-empty tenant id');
    }
    if (typeof scope.partition !== 'string' || scope.partition.length === 0 || scope.partition.length > 256) {
      throw new InvalidCacheKeyError('namespace', 'a semantic scope needs a partition of 1-256 characters');
    }
    return `${tenantPrefix(scope.tenantId)}${scope.partition}/${this.embedder.id}`;
  }

  private async embedQuery(query: string): Promise<{ normalized: string; vector: number[] }> {
    if (typeof query !== 'string' || query.trim().length === 0) {
      throw new InvalidCacheKeyError('key', 'a semantic query must be a non-empty string');
    }
    const normalized = normalizeQuery(query);
    const [vector] = await this.embedder.embed([normalized]);
    if (vector === undefined || vector.length !== this.embedder.dimensions) {
      throw new EmbeddingDimensionMismatchError(this.embedder.dimensions, vector?.length ?? 0);
    }
    return { normalized, vector };
  }

  async lookup(scope: SemanticScope, query: string): Promise<SemanticHit | null> {
    return (await this.explain(scope, query)).hit;
  }

  async explain(scope: SemanticScope, query: string): Promise<SemanticLookupDiagnostics> {
    const partition = this.partitionOf(scope);
    const { vector } = await this.embedQuery(query);
    const matches = await this.index.query(partition, vector, this.candidates);
    const best = matches[0];
    if (best === undefined) return { hit: null, bestSimilarity: null, rejection: 'no-candidate' };
    let queryTerms: KeyTerms | undefined;
    let rejection: SemanticLookupDiagnostics['rejection'] = 'below-threshold';
    const now = this.now();
    const expired: string[] = [];
    for (const match of matches) {
      if (match.similarity < this.threshold) break;
      const payload = match.payload as unknown as StoredPayload;
      if (payload.x <= now) {
        expired.push(match.id);
        rejection = 'expired';
        continue;
      }
      if (this.keyTermGuard) {
        queryTerms ??= extractKeyTerms(query);
        const difference: KeyTermDifference | null = compareKeyTerms(queryTerms, extractKeyTerms(payload.q));
        if (difference !== null) {
          rejection = 'key-terms-differ';
          continue;
        }
      }
      if (expired.length > 0) await this.index.delete(partition, expired).catch(() => undefined);
      return {
        hit: { value: payload.v, similarity: match.similarity, matchedQuery: payload.q },
        bestSimilarity: best.similarity,
        rejection: null,
      };
    }
    if (expired.length > 0) await this.index.delete(partition, expired).catch(() => undefined);
    return { hit: null, bestSimilarity: best.similarity, rejection };
  }

  async store(
    scope: SemanticScope,
    query: string,
    value: JsonValue,
    options?: SemanticStoreOptions,
  ): Promise<void> {
    assertEntryOptions(options);
    const partition = this.partitionOf(scope);
    serializeValue(value);
    const { normalized, vector } = await this.embedQuery(query);
    const payload: StoredPayload = {
      q: query,
      v: value,
      x: this.now() + (options?.ttlMs ?? this.defaultTtlMs),
    };
    // One entry per normalised query: storing it again replaces the answer.
    const id = createHash('sha256').update(normalized).digest('base64url').slice(0, 32);
    await this.index.upsert(partition, [{ id, vector, payload: payload as unknown as JsonValue }]);
  }

  async clearTenant(tenantId: string): Promise<number> {
    if (typeof tenantId !== 'string' || tenantId.length === 0)
      throw new InvalidCacheKeyError('tenantId', 'must not be empty');
    return this.index.deletePartitionsByPrefix(tenantPrefix(tenantId));
  }

  async close(): Promise<void> {
    await this.index.close();
  }
}
