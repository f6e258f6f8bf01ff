import { CacheError } from '../errors/cache.error';
import { CacheValueTooLargeError } from '../errors/cache-value-too-large.error';
import type { JsonValue } from '../ports/json';
import type {
  CacheEntry,
  CacheEntryOptions,
  GetOrComputeOptions,
  KeyValueCache,
} from '../ports/key-value-cache';
import { decodeEntry, encodeEntry, type EncodedEntry } from './stored-entry';
import { assertBound, assertEntryOptions, assertKey, assertNamespace, serializeValue } from './validation';

export interface BaseCacheOptions {
  /** TTL of entries set without `ttlMs`. Omitted: no TTL (the size bound still applies). */
  readonly defaultTtlMs?: number;
  /** Largest serialised value accepted, in bytes (UTF-8). Default 1 MiB. */
  readonly maxValueBytes?: number;
  /** The clock deciding freshness (epoch ms). Default `Date.now`; inject one in tests. */
  readonly now?: () => number;
}

const DEFAULT_MAX_VALUE_BYTES = 1024 * 1024;

/**
 * Everything the adapters share: validation, the entry wire format, single-flight and
 * stale-while-revalidate. An adapter supplies raw reads and writes of encoded entries.
 */
export abstract class BaseKeyValueCache implements KeyValueCache {
  abstract readonly name: string;
  protected readonly now: () => number;
  protected readonly defaultTtlMs: number | undefined;
  protected readonly maxValueBytes: number;
  private readonly inflight = new Map<string, Promise<JsonValue>>();

  protected constructor(options: BaseCacheOptions) {
    assertEntryOptions({ ttlMs: options.defaultTtlMs });
    assertBound('maxValueBytes', options.maxValueBytes);
    this.now = options.now ?? Date.now;
    this.defaultTtlMs = options.defaultTtlMs;
    this.maxValueBytes = options.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES;
  }

  protected abstract readRaw(namespace: string, key: string): Promise<string | undefined>;
  protected abstract readRawMany(
    namespace: string,
    keys: readonly string[],
  ): Promise<Array<string | undefined>>;
  protected abstract writeRaw(namespace: string, key: string, entry: EncodedEntry): Promise<void>;
  protected abstract deleteRaw(namespace: string, key: string): Promise<boolean>;
  protected abstract deleteRawByPrefix(namespace: string, keyPrefix: string): Promise<number>;
  protected abstract clearRaw(namespace: string): Promise<number>;
  protected abstract incrementRaw(namespace: string, key: string, by: number): Promise<number>;
  protected abstract readCounters(namespace: string, keys: readonly string[]): Promise<number[]>;
  abstract close(): Promise<void>;

  /**
   * Runs `produce` (compute and store) for a missing key. The default runs it directly; the redis
   * adapter wraps it in a cross-process lock. Already deduplicated within the process.
   */
  protected computeExclusively<T extends JsonValue>(
    _namespace: string,
    _key: string,
    produce: () => Promise<T>,
  ): Promise<T> {
    return produce();
  }

  async get<T extends JsonValue = JsonValue>(namespace: string, key: string): Promise<T | undefined> {
    const entry = await this.getEntry<T>(namespace, key);
    return entry === undefined || entry.stale ? undefined : entry.value;
  }

  async getMany<T extends JsonValue = JsonValue>(
    namespace: string,
    keys: readonly string[],
  ): Promise<Array<T | undefined>> {
    assertNamespace(namespace);
    if (!Array.isArray(keys)) throw new TypeError('keys must be an array');
    keys.forEach((key) => assertKey(key));
    if (keys.length === 0) return [];
    const texts = await this.readRawMany(namespace, keys);
    const now = this.now();
    return texts.map((text) => {
      const entry = text === undefined ? undefined : decodeEntry<T>(text, now);
      return entry === undefined || entry.stale ? undefined : entry.value;
    });
  }

  async getEntry<T extends JsonValue = JsonValue>(
    namespace: string,
    key: string,
  ): Promise<CacheEntry<T> | undefined> {
    assertNamespace(namespace);
    assertKey(key);
    const text = await this.readRaw(namespace, key);
    return text === undefined ? undefined : decodeEntry<T>(text, this.now());
  }

  async set(namespace: string, key: string, value: JsonValue, options?: CacheEntryOptions): Promise<void> {
    assertNamespace(namespace);
    assertKey(key);
    assertEntryOptions(options);
    const serialized = serializeValue(value);
    const bytes = Buffer.byteLength(serialized);
    if (bytes > this.maxValueBytes) throw new CacheValueTooLargeError(bytes, this.maxValueBytes);
    await this.writeRaw(namespace, key, encodeEntry(serialized, options, this.defaultTtlMs, this.now()));
  }

  async delete(namespace: string, key: string): Promise<boolean> {
    assertNamespace(namespace);
    assertKey(key);
    return this.deleteRaw(namespace, key);
  }

  async deleteByPrefix(namespace: string, keyPrefix: string): Promise<number> {
    assertNamespace(namespace);
    assertKey(keyPrefix, 'prefix');
    return keyPrefix === '' ? this.clearRaw(namespace) : this.deleteRawByPrefix(namespace, keyPrefix);
  }

  async clearNamespace(namespace: string): Promise<number> {
    assertNamespace(namespace);
    return this.clearRaw(namespace);
  }

  async increment(namespace: string, key: string, by = 1): Promise<number> {
    assertNamespace(namespace);
    assertKey(key);
    if (!Number.isSafeInteger(by)) throw new TypeError(`increment must be a safe integer, got ${by}`);
    return this.incrementRaw(namespace, key, by);
  }

  async getCounters(namespace: string, keys: readonly string[]): Promise<number[]> {
    assertNamespace(namespace);
    keys.forEach((key) => assertKey(key));
    return keys.length === 0 ? [] : this.readCounters(namespace, keys);
  }

  async getOrCompute<T extends JsonValue>(
    namespace: string,
    key: string,
    compute: () => Promise<T>,
    options?: GetOrComputeOptions,
  ): Promise<T> {
    assertEntryOptions(options);
    // A backend outage reads as a miss: the caller still gets its value (computed once per process).
    const entry = await this.getEntry<T>(namespace, key).catch((error: unknown) => {
      if (CacheError.isInstance(error) && (error as CacheError).code === 'CACHE_UNAVAILABLE')
        return undefined;
      throw error;
    });
    if (entry !== undefined && !entry.stale) return entry.value;
    if (entry !== undefined) {
      // Stale: answer now, refresh once in the background (joins a flight already running).
      this.flight(namespace, key, compute, options).catch((error: unknown) =>
        options?.onBackgroundError?.(error),
      );
      return entry.value;
    }
    return this.flight(namespace, key, compute, options);
  }

  /** One computation per (namespace, key) at a time in this process; every caller shares its promise. */
  private flight<T extends JsonValue>(
    namespace: string,
    key: string,
    compute: () => Promise<T>,
    options: CacheEntryOptions | undefined,
  ): Promise<T> {
    const flightKey = `${namespace}\u0000${key}`;
    const running = this.inflight.get(flightKey);
    if (running !== undefined) return running as Promise<T>;
    const produce = async (): Promise<T> => {
      // Double-check: a caller whose miss was read before another flight stored the value (or, in
      // redis, before another process released its lock) must not compute a second time.
      const current = await this.getEntry<T>(namespace, key).catch(() => undefined);
      if (current !== undefined && !current.stale) return current.value;
      const value = await compute();
      try {
        await this.set(namespace, key, value, options);
      } catch (error) {
        // The caller asked for the value, not for it to be cached: a value too large or a backend
        // outage still returns it. A non-JSON value is a programming error and is thrown.
        if (!CacheError.isInstance(error) || (error as CacheError).code === 'INVALID_CACHE_VALUE')
          throw error;
      }
      return value;
    };
    const promise = this.computeExclusively(namespace, key, produce).finally(() => {
      this.inflight.delete(flightKey);
    });
    this.inflight.set(flightKey, promise);
    return promise;
  }
}
