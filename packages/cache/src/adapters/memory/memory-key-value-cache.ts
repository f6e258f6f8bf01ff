import type { MeterProvider } from '@opentelemetry/api';
import { ATTR } from '@ai-scale/telemetry';
import { LRUCache } from 'lru-cache';
import { InvalidCacheOptionsError } from '../../errors/invalid-cache-options.error';
import { BaseKeyValueCache, type BaseCacheOptions } from '../../internal/base-key-value-cache';
import { createCacheInstruments, type CacheInstruments } from '../../internal/metrics';
import type { EncodedEntry } from '../../internal/stored-entry';
import { assertBound } from '../../internal/validation';

export interface MemoryKeyValueCacheOptions extends BaseCacheOptions {
  /** Most entries kept; least recently used go first. Default 10,000. */
  readonly maxEntries?: number;
  /** Most bytes kept (UTF-8 size of key and serialised entry). Default 64 MiB. */
  readonly maxBytes?: number;
  /** For the `cache.evictions` counter; default the global provider. */
  readonly meterProvider?: MeterProvider;
}

/** Namespaces never contain NUL, so `namespace NUL key` is unambiguous. */
const SEPARATOR = '\u0000';

/**
 * An in-process cache over lru-cache 11, bounded by entry count AND by bytes. Entries are stored
 * serialised (copies in and out, and an honest byte size). Counters live outside the LRU and are never
 * evicted. Single-flight is per process, which is all there is for an in-process cache.
 */
export class MemoryKeyValueCache extends BaseKeyValueCache {
  readonly name = 'memory';
  private readonly lru: LRUCache<string, string>;
  private readonly counters = new Map<string, number>();
  private readonly instruments: CacheInstruments;

  constructor(options: MemoryKeyValueCacheOptions = {}) {
    super(options);
    assertBound('maxEntries', options.maxEntries);
    assertBound('maxBytes', options.maxBytes);
    const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    if (options.maxValueBytes !== undefined && options.maxValueBytes > maxBytes) {
      throw new InvalidCacheOptionsError('maxValueBytes', `must not exceed maxBytes (${maxBytes})`);
    }
    this.instruments = createCacheInstruments(options.meterProvider);
    this.lru = new LRUCache<string, string>({
      max: options.maxEntries ?? 10_000,
      maxSize: maxBytes,
      sizeCalculation: (value, key) => Buffer.byteLength(value) + Buffer.byteLength(key),
      dispose: (_value, _key, reason) => {
        if (reason === 'evict') this.instruments.evictions.add(1, { [ATTR.cacheAdapter]: 'memory' });
      },
    });
  }

  /** Entries currently held (fresh, stale or expired but not yet reclaimed). */
  get size(): number {
    return this.lru.size;
  }

  /** Bytes currently held by entries. */
  get bytes(): number {
    return this.lru.calculatedSize;
  }

  protected async readRaw(namespace: string, key: string): Promise<string | undefined> {
    return this.lru.get(namespace + SEPARATOR + key);
  }

  protected async readRawMany(
    namespace: string,
    keys: readonly string[],
  ): Promise<Array<string | undefined>> {
    return keys.map((key) => this.lru.get(namespace + SEPARATOR + key));
  }

  protected async writeRaw(namespace: string, key: string, entry: EncodedEntry): Promise<void> {
    // lru-cache's own TTL would use its own clock; freshness is decided on read, the LRU reclaims.
    this.lru.set(namespace + SEPARATOR + key, entry.text);
  }

  protected async deleteRaw(namespace: string, key: string): Promise<boolean> {
    return this.lru.delete(namespace + SEPARATOR + key);
  }

  protected async deleteRawByPrefix(namespace: string, keyPrefix: string): Promise<number> {
    return this.deleteWhere(this.lru, namespace + SEPARATOR + keyPrefix);
  }

  protected async clearRaw(namespace: string): Promise<number> {
    const prefix = namespace + SEPARATOR;
    return this.deleteWhere(this.lru, prefix) + this.deleteWhere(this.counters, prefix);
  }

  private deleteWhere(
    store: { keys(): IterableIterator<string>; delete(key: string): boolean },
    prefix: string,
  ): number {
    const doomed = [...store.keys()].filter((key) => key.startsWith(prefix));
    for (const key of doomed) store.delete(key);
    return doomed.length;
  }

  protected async incrementRaw(namespace: string, key: string, by: number): Promise<number> {
    const counterKey = namespace + SEPARATOR + key;
    const value = (this.counters.get(counterKey) ?? 0) + by;
    this.counters.set(counterKey, value);
    return value;
  }

  protected async readCounters(namespace: string, keys: readonly string[]): Promise<number[]> {
    return keys.map((key) => this.counters.get(namespace + SEPARATOR + key) ?? 0);
  }

  async close(): Promise<void> {
    this.lru.clear();
    this.counters.clear();
  }
}
