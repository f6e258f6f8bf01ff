import type { JsonValue } from './json';

/**
 * Where a semantic entry lives. Queries only match entries of the same scope. `tenantId` is kept
 * apart so that a tenant's entries can be dropped; `partition` is everything else that must agree
 * for two queries to share an answer (model route, prompt version, parameters, prior conversation):
 * `ResponseCache` passes a hash of those.
 */
export interface SemanticScope {
  readonly tenantId: string;
  readonly partition: string;
}

export interface SemanticHit {
  readonly value: JsonValue;
  /** Cosine similarity between the normalised query and the cached query. */
  readonly similarity: number;
  /** The cached query, as it was stored (for logs and debugging). */
  readonly matchedQuery: string;
}

export interface SemanticStoreOptions {
  /** Milliseconds the entry may be served. Omitted: the cache's default. */
  readonly ttlMs?: number;
}

/** Why a candidate was not served, for diagnostics and the benchmark. */
export type SemanticRejection = 'below-threshold' | 'key-terms-differ' | 'expired' | 'no-candidate';

export interface SemanticLookupDiagnostics {
  readonly hit: SemanticHit | null;
  readonly bestSimilarity: number | null;
  readonly rejection: SemanticRejection | null;
}

/**
 * Finds an answer cached for a query that means the same thing.
 *
 * Guarantees:
 * - only entries of the same `SemanticScope` (tenant AND partition) are candidates;
 * - a hit has `similarity >= threshold` AND passes the key-term check: the two queries carry the same
 *   numbers, dates, negations and named entities (see `extractKeyTerms`); otherwise `null`;
 * - an expired entry is never served;
 * - it is a best-effort layer: callers must still validate what the value points to (the response
 *   cache re-checks invalidation on every semantic hit).
 */
export interface SemanticCache {
  lookup(scope: SemanticScope, query: string): Promise<SemanticHit | null>;
  /** Like `lookup`, also saying why the nearest candidate was rejected. */
  explain(scope: SemanticScope, query: string): Promise<SemanticLookupDiagnostics>;
  store(scope: SemanticScope, query: string, value: JsonValue, options?: SemanticStoreOptions): Promise<void>;
  /** Drops every entry of a tenant; returns how many. */
  clearTenant(tenantId: string): Promise<number>;
  close(): Promise<void>;
}
