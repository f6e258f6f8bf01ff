import type { JsonValue } from './json';

/** How long an entry lives. */
export interface CacheEntryOptions {
  /**
   * Milliseconds the entry is fresh. Omitted: the adapter's `defaultTtlMs` (which may be "forever").
   * Must be a positive integer.
   */
  readonly ttlMs?: number;
  /**
   * Milliseconds after `ttlMs` during which `getOrCompute` may still return the old value while one
   * refresh runs in the background (stale-while-revalidate). `get` never returns a stale value.
   * Default 0 (no stale serving).
   */
  readonly staleWhileRevalidateMs?: number;
}

export interface GetOrComputeOptions extends CacheEntryOptions {
  /**
   * Called when a background refresh (stale-while-revalidate) fails; the stale value stays until
   * its window ends. Foreground failures are thrown to every waiting caller instead.
   */
  readonly onBackgroundError?: (error: unknown) => void;
}

/** An entry as read, with its freshness. */
export interface CacheEntry<T extends JsonValue = JsonValue> {
  readonly value: T;
  /** Epoch ms after which the entry is stale (`null`: never). */
  readonly expiresAt: number | null;
  /** True inside the stale-while-revalidate window. */
  readonly stale: boolean;
}

/**
 * A bounded key-value cache of JSON values, partitioned into namespaces.
 *
 * Guarantees every adapter honours (checked by `keyValueCacheContract` in `@ai-scale/cache/testing`):
 * - **Namespaces are isolated**: the same key in two namespaces names two entries; clearing or
 *   prefix-deleting one namespace never touches another. A namespace matches
 *   `/^[A-Za-z0-9_.:@%\/-]{1,256}$/`; a key is any string of 1 to 1024 characters.
 * - **Copies**: `set` serialises the value and `get` returns a fresh copy; mutating either never
 *   changes the cached entry. A value that is not JSON-serialisable is rejected
 *   (`InvalidCacheValueError`); one larger than `maxValueBytes` is rejected (`CacheValueTooLargeError`)
 *   and the previous entry is left as it was.
 * - **TTL**: an entry is never returned by `get` after `ttlMs` has passed by the adapter's clock.
 * - **Bounded**: an adapter has a size bound and evicts (least recently used first for `memory`,
 *   Redis `maxmemory-policy` for `redis`) rather than grow without limit. Counters written with
 *   `increment` are exempt from eviction in `memory` (they are correctness state, see below).
 * - **Single-flight**: concurrent `getOrCompute` calls for one missing key in one process run
 *   `compute` once and all receive its result (or its error; a failed computation stores nothing).
 *   The `redis` adapter adds a short lock so that several processes mostly compute once too (see its
 *   doc comment for exactly what it promises).
 * - **Stale-while-revalidate**: within the stale window `getOrCompute` returns the stale value at
 *   once and starts at most one background refresh per key.
 * - **Failure**: a backend failure surfaces as `CacheUnavailableError` (retryable); nothing is
 *   half-written from the caller's point of view (a `set` either replaced the entry or did not).
 */
export interface KeyValueCache {
  /** Adapter name for metrics and logs: `memory`, `redis`. */
  readonly name: string;

  get<T extends JsonValue = JsonValue>(namespace: string, key: string): Promise<T | undefined>;
  /** Reads many keys in one round trip; missing or expired keys map to `undefined`. */
  getMany<T extends JsonValue = JsonValue>(
    namespace: string,
    keys: readonly string[],
  ): Promise<Array<T | undefined>>;
  /** Like `get`, but also returns an entry inside its stale window (flagged `stale`). */
  getEntry<T extends JsonValue = JsonValue>(
    namespace: string,
    key: string,
  ): Promise<CacheEntry<T> | undefined>;
  set(namespace: string, key: string, value: JsonValue, options?: CacheEntryOptions): Promise<void>;
  /** Returns whether an entry existed. */
  delete(namespace: string, key: string): Promise<boolean>;
  /** Deletes every entry of `namespace` whose key starts with `keyPrefix`; returns how many. */
  deleteByPrefix(namespace: string, keyPrefix: string): Promise<number>;
  /** Deletes every entry (and counter) of `namespace`; returns how many. */
  clearNamespace(namespace: string): Promise<number>;
  /**
   * Atomically adds `by` (default 1) to an integer counter (missing counts as 0) and returns the new
   * value. Counters never expire and are never evicted by `memory`'s size bound: they carry
   * invalidation state, and losing one could make an invalidated entry valid again.
   */
  increment(namespace: string, key: string, by?: number): Promise<number>;
  /** Reads counters; a missing counter reads 0. */
  getCounters(namespace: string, keys: readonly string[]): Promise<number[]>;
  /**
   * Returns the cached value, or runs `compute` once (single-flight), stores its result and returns
   * it. See the interface comment for stale-while-revalidate and failure behaviour. A computed value
   * that is too large is returned but not stored.
   */
  getOrCompute<T extends JsonValue>(
    namespace: string,
    key: string,
    compute: () => Promise<T>,
    options?: GetOrComputeOptions,
  ): Promise<T>;
  /** Releases connections and timers; the instance is unusable afterwards. Idempotent. */
  close(): Promise<void>;
}
