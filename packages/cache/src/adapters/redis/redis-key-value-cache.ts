import { randomUUID } from 'node:crypto';
import { CacheUnavailableError, InvalidCacheKeyError, type JsonValue } from '../../index';
import { BaseKeyValueCache, type BaseCacheOptions } from '../../internal/base-key-value-cache';
import type { EncodedEntry } from '../../internal/stored-entry';
import { assertBound } from '../../internal/validation';
import {
  closeRedisClient,
  createRedisClient,
  type RedisClient,
  type RedisTargetOptions,
} from './redis-connection';

export interface RedisComputeLockOptions {
  /** How long the lock is held at most (a crashed holder frees it after this). Default 10 s. */
  readonly ttlMs?: number;
  /** How long another process waits for the holder's value before computing itself. Default = ttlMs. */
  readonly waitMs?: number;
  /** Polling interval while waiting. Default 20 ms. */
  readonly pollMs?: number;
}

/**
 * Where to connect: `url` (`redis://…`, or `redis+cluster://host:port,host:port` for a cluster),
 * `connection`, or `cluster: { nodes: [{ host, port }] }`.
 */
export interface RedisKeyValueCacheOptions extends BaseCacheOptions, RedisTargetOptions {
  /** Prefix of every key this cache writes: `[A-Za-z0-9_.:@%/-]`. Default `ai-scale:cache:`. */
  readonly keyPrefix?: string;
  /** Cross-process single-flight lock for `getOrCompute`; `false` disables it. Default on. */
  readonly computeLock?: RedisComputeLockOptions | false;
  /** A command that takes longer fails with `CacheUnavailableError`. Default 1000 ms. */
  readonly commandTimeoutMs?: number;
  /**
   * Retention of entries set without a TTL: Redis is shared, so nothing this cache writes lives
   * forever (counters excepted). Default: `defaultTtlMs`, else 24 h.
   */
  readonly maxRetentionMs?: number;
}

const PREFIX_PATTERN = /^[A-Za-z0-9_.:@%/-]{0,128}$/;
const RELEASE_LOCK = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const BATCH = 500;

/**
 * KEYS: entry, namespace index. ARGV: entry text, retain ms, key, retain deadline (epoch ms), now.
 * Writes the entry with its TTL, records it in the index (score: when Redis drops it), forgets
 * index members already gone, and keeps the index alive as long as its longest-lived entry.
 */
const WRITE_SCRIPT = `
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[5])
if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
return 1`;

/** Escapes Redis glob metacharacters so a key prefix matches literally in SCAN MATCH. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (character) => `\\${character}`);
}

/**
 * A cache in Redis (standalone, Sentinel or Redis Cluster) through ioredis 5, which this adapter owns:
 * pass a URL, connection options or cluster seed nodes, call `close()` when done.
 *
 * Keys: everything of one namespace shares the hash tag `{<prefix><namespace>}`, so a namespace is
 * one Redis Cluster slot and every multi-key command (`MGET` of `getMany`, `HMGET` of `getCounters`,
 * the write script, `UNLINK` batches) stays within it:
 * `{<prefix><namespace>}|k|<key>` entries, `|c` one hash of the namespace's counters, `|i` a zset
 * index of its entry keys (score: when Redis drops the entry), `|l|<key>` compute locks.
 * `clearNamespace` and `deleteByPrefix` walk that index (never `SCAN`, which in a cluster sees one
 * node only, and is O(keyspace) anywhere). A hot namespace therefore lives on one node: the response
 * cache has one per tenant, plus one global namespace of prompt-version counters.
 * Freshness is decided by this process's clock from deadlines stored in the entry; Redis `PX` reclaims
 * the entry once its stale window has passed.
 *
 * What it guarantees beyond the port:
 * - **Bounded**: every entry has a Redis TTL (`maxRetentionMs` when none is given); the memory bound
 *   is Redis's `maxmemory`. Use `maxmemory-policy volatile-lru` (or `volatile-ttl`): entries are
 *   then evicted while counters (no TTL) are kept. Under `allkeys-*` Redis may evict an invalidation
 *   counter, after which an answer invalidated earlier could be served again until its TTL ends.
 * - **Single-flight**: in one process exactly (shared promise). Across processes, with `computeLock`:
 *   the first process to miss takes `SET NX PX ttlMs`; the others poll for its value for up to `waitMs`
 *   and return it, and compute themselves only if the holder failed, stored nothing, or took longer.
 *   So N processes run one computation per key while computations finish within the lock TTL; never
 *   fewer than one, never a deadlock. If Redis is down the lock is skipped (fail open).
 */
export class RedisKeyValueCache extends BaseKeyValueCache {
  readonly name = 'redis';
  private readonly client: RedisClient;
  private readonly prefix: string;
  private readonly lock: Required<RedisComputeLockOptions> | null;
  private readonly maxRetentionMs: number;
  private closed = false;

  constructor(options: RedisKeyValueCacheOptions = {}) {
    super(options);
    const prefix = options.keyPrefix ?? 'ai-scale:cache:';
    if (!PREFIX_PATTERN.test(prefix)) {
      throw new InvalidCacheKeyError('prefix', `keyPrefix must match ${PREFIX_PATTERN.source}`);
    }
    assertBound('commandTimeoutMs', options.commandTimeoutMs);
    assertBound('maxRetentionMs', options.maxRetentionMs);
    this.prefix = prefix;
    this.maxRetentionMs = options.maxRetentionMs ?? options.defaultTtlMs ?? 24 * 60 * 60 * 1000;
    if (options.computeLock === false) {
      this.lock = null;
    } else {
      const ttlMs = options.computeLock?.ttlMs ?? 10_000;
      this.lock = {
        ttlMs,
        waitMs: options.computeLock?.waitMs ?? ttlMs,
        pollMs: options.computeLock?.pollMs ?? 20,
      };
      for (const [name, value] of Object.entries(this.lock)) assertBound(`computeLock.${name}`, value);
    }
    this.client = createRedisClient(options, { commandTimeoutMs: options.commandTimeoutMs ?? 1000 });
  }

  private tag(namespace: string): string {
    return `{${this.prefix}${namespace}}`;
  }

  private entryKey(namespace: string, key: string): string {
    return `${this.tag(namespace)}|k|${key}`;
  }

  private countersKey(namespace: string): string {
    return `${this.tag(namespace)}|c`;
  }

  private indexKey(namespace: string): string {
    return `${this.tag(namespace)}|i`;
  }

  private async call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    if (this.closed) throw new CacheUnavailableError(`${operation} (cache closed)`);
    try {
      return await run();
    } catch (error) {
      throw new CacheUnavailableError(operation, error);
    }
  }

  protected async readRaw(namespace: string, key: string): Promise<string | undefined> {
    const text = await this.call('get', () => this.client.get(this.entryKey(namespace, key)));
    return text ?? undefined;
  }

  protected async readRawMany(
    namespace: string,
    keys: readonly string[],
  ): Promise<Array<string | undefined>> {
    const texts = await this.call('mget', () =>
      this.client.mget(keys.map((key) => this.entryKey(namespace, key))),
    );
    return texts.map((text) => text ?? undefined);
  }

  protected async writeRaw(namespace: string, key: string, entry: EncodedEntry): Promise<void> {
    const retainMs = entry.retainMs ?? this.maxRetentionMs;
    // Index scores are Redis's own (wall-clock) expiry, not the injectable freshness clock.
    const now = Date.now();
    await this.call('set', () =>
      this.client.eval(
        WRITE_SCRIPT,
        2,
        this.entryKey(namespace, key),
        this.indexKey(namespace),
        entry.text,
        retainMs,
        key,
        now + retainMs,
        now,
      ),
    );
  }

  protected async deleteRaw(namespace: string, key: string): Promise<boolean> {
    const results = await this.call('del', () =>
      this.client.multi().del(this.entryKey(namespace, key)).zrem(this.indexKey(namespace), key).exec(),
    );
    return Number(results?.[0]?.[1] ?? 0) > 0;
  }

  protected deleteRawByPrefix(namespace: string, keyPrefix: string): Promise<number> {
    return this.call('deleteByPrefix', async () => {
      const keys = new Set<string>();
      let cursor = '0';
      do {
        const [next, flat] = await this.client.zscan(
          this.indexKey(namespace),
          cursor,
          'MATCH',
          `${escapeGlob(keyPrefix)}*`,
          'COUNT',
          BATCH,
        );
        cursor = next;
        for (let index = 0; index < flat.length; index += 2) keys.add(flat[index] as string);
      } while (cursor !== '0');
      return this.unlinkIndexed(namespace, [...keys]);
    });
  }

  protected clearRaw(namespace: string): Promise<number> {
    return this.call('clearNamespace', async () => {
      let deleted = 0;
      for (;;) {
        const keys = await this.client.zrange(this.indexKey(namespace), 0, BATCH - 1);
        if (keys.length === 0) break;
        deleted += await this.unlinkIndexed(namespace, keys);
      }
      const counters = await this.client
        .multi()
        .hlen(this.countersKey(namespace))
        .unlink(this.countersKey(namespace), this.indexKey(namespace))
        .exec();
      return deleted + Number(counters?.[0]?.[1] ?? 0);
    });
  }

  /** Unlinks entries (one slot: same namespace) and their index members, in batches; counts what existed. */
  private async unlinkIndexed(namespace: string, keys: readonly string[]): Promise<number> {
    let deleted = 0;
    for (let start = 0; start < keys.length; start += BATCH) {
      const batch = keys.slice(start, start + BATCH);
      const results = await this.client
        .multi()
        .unlink(...batch.map((key) => this.entryKey(namespace, key)))
        .zrem(this.indexKey(namespace), ...batch)
        .exec();
      deleted += Number(results?.[0]?.[1] ?? 0);
    }
    return deleted;
  }

  protected incrementRaw(namespace: string, key: string, by: number): Promise<number> {
    return this.call('hincrby', () => this.client.hincrby(this.countersKey(namespace), key, by));
  }

  protected async readCounters(namespace: string, keys: readonly string[]): Promise<number[]> {
    const values = await this.call('hmget', () => this.client.hmget(this.countersKey(namespace), ...keys));
    return values.map((value) => (value === null ? 0 : Number(value)));
  }

  protected override async computeExclusively<T extends JsonValue>(
    namespace: string,
    key: string,
    produce: () => Promise<T>,
  ): Promise<T> {
    const lock = this.lock;
    if (lock === null) return produce();
    const lockKey = `${this.tag(namespace)}|l|${key}`;
    const token = randomUUID();
    const deadline = Date.now() + lock.waitMs;
    for (;;) {
      let acquired: boolean;
      try {
        acquired = (await this.client.set(lockKey, token, 'PX', lock.ttlMs, 'NX')) === 'OK';
      } catch {
        return produce(); // Redis down: no lock, compute (fail open).
      }
      if (acquired) {
        try {
          return await produce();
        } finally {
          await this.client.eval(RELEASE_LOCK, 1, lockKey, token).catch(() => undefined);
        }
      }
      // Another process is computing: wait for its value, or for its lock to go.
      while (Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, lock.pollMs));
        const entry = await this.getEntry<T>(namespace, key).catch(() => undefined);
        if (entry !== undefined && !entry.stale) return entry.value;
        const holder = await this.client.exists(lockKey).catch(() => 0);
        if (holder === 0) break;
      }
      if (Date.now() >= deadline) return produce();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await closeRedisClient(this.client);
  }
}
