import { createHash, randomUUID } from 'node:crypto';
import {
  CacheUnavailableError,
  EmbeddingDimensionMismatchError,
  InvalidCacheKeyError,
  type JsonValue,
  type VectorIndex,
  type VectorIndexItem,
  type VectorIndexMatch,
} from '../../index';
import { assertBound, serializeValue } from '../../internal/validation';
import type { HnswOptions } from './hnsw-graph';
import { MirrorPartition } from './mirror-partition';
import {
  closeRedisClient,
  createRedisClient,
  resolveRedisTarget,
  type RedisClient,
  type RedisTargetOptions,
} from './redis-connection';

export interface RedisVectorIndexOptions extends RedisTargetOptions {
  readonly dimensions: number;
  /** Prefix of every key: `[A-Za-z0-9_.:@%/-]`. Default `ai-scale:vi:`. */
  readonly keyPrefix?: string;
  /**
   * How long an item lives after its last upsert, in Redis and in every mirror (then it is neither
   * returned nor kept). Set it to the answer cache's TTL. Default 24 h.
   */
  readonly entryTtlMs?: number;
  /** Most items per partition, in Redis and in each mirror; the ones expiring first go. Default 100,000. */
  readonly maxItemsPerPartition?: number;
  /** Partitions a replica mirrors at once (least recently queried dropped; reloaded on demand). Default 256. */
  readonly maxMirroredPartitions?: number;
  /**
   * Items a replica mirrors at once over all partitions (least recently queried dropped). Each costs
   * about `dimensions × 4` bytes + ~400 bytes: 250k at 512-d ≈ 0.6 GB. Default 250,000.
   */
  readonly maxMirroredItems?: number;
  /** Below this many items a partition is searched exactly; from it on, through HNSW. Default 4096. */
  readonly exactScanBelow?: number;
  /** HNSW parameters of large partitions. Defaults m 16, efConstruction 64, efSearch 100 (measured by the `cache` bench). */
  readonly hnsw?: HnswOptions;
  /** Length the change stream is trimmed to (`MAXLEN ~`): how far a replica may lag. Default 100,000. */
  readonly streamMaxLength?: number;
  /** A command that takes longer fails with `CacheUnavailableError`. Default 1000 ms. */
  readonly commandTimeoutMs?: number;
  /** The clock of item deadlines (epoch ms). Every replica must use the real one; tests inject theirs. */
  readonly now?: () => number;
  /**
   * Maps a partition name to the hash in its Redis keys. Default: SHA-256, 132 bits. Only tests set
   * it (to force collisions): every item also records its full partition name and is checked on read.
   */
  readonly hashPartition?: (partition: string) => string;
}

const PREFIX_PATTERN = /^[A-Za-z0-9_.:@%/-]{0,128}$/;
const LOAD_BATCH = 500;
const YIELD_EVERY = 256;
const REGISTRY_PRUNE_EVERY = 1000;
/** Items linked into the graph per slice of background work (~10-50 ms at 512 dimensions). */
const LINK_SLICE = 32;

/**
 * KEYS: entries hash, deadlines zset. ARGV: now, maxItems, retainMs, then (id, deadline, entry)...
 * Drops expired items (up to 1000 a call) and the ones over the cap (earliest deadline first), writes
 * the new ones, refreshes the TTL of both keys; returns the ids it dropped.
 */
const UPSERT_SCRIPT = `
local dropped = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, 1000)
if #dropped > 0 then
  redis.call('HDEL', KEYS[1], unpack(dropped))
  redis.call('ZREM', KEYS[2], unpack(dropped))
end
for i = 4, #ARGV, 3 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 2])
  redis.call('ZADD', KEYS[2], ARGV[i + 1], ARGV[i])
end
local surplus = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[2])
if surplus > 0 then
  local popped = redis.call('ZPOPMIN', KEYS[2], surplus)
  for i = 1, #popped, 2 do
    redis.call('HDEL', KEYS[1], popped[i])
    dropped[#dropped + 1] = popped[i]
  end
end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return dropped`;

/** KEYS: entries hash, deadlines zset. ARGV: ids. Returns how many existed. */
const DELETE_SCRIPT = `
local deleted = redis.call('HDEL', KEYS[1], unpack(ARGV))
redis.call('ZREM', KEYS[2], unpack(ARGV))
return deleted`;

/** KEYS: entries hash, deadlines zset. Returns how many items went. */
const CLEAR_SCRIPT = `
local count = redis.call('HLEN', KEYS[1])
redis.call('UNLINK', KEYS[1], KEYS[2])
return count`;

/** An item as stored in its partition's hash. */
interface StoredItem {
  /** The full partition name: checked on every read, so a hash collision can never mix partitions. */
  readonly p: string;
  /** The unit vector, float32 little-endian, base64. */
  readonly v: string;
  readonly d: JsonValue;
  /** Deadline (epoch ms). */
  readonly x: number;
}

type Change =
  | { readonly kind: 'upsert'; readonly ids: readonly string[] }
  | { readonly kind: 'delete'; readonly ids: readonly string[] };

interface MirrorState {
  partition: MirrorPartition | undefined;
  /** The load in flight (first load, or a resync that keeps serving the old mirror meanwhile). */
  loading: Promise<void> | undefined;
  /** Changes seen while loading, replayed on the new mirror when the load ends. */
  pending: Change[];
  cancelled: boolean;
  nextSweepAt: number;
  /** The background linking of stored items into the HNSW graph, while it runs. */
  linking: Promise<void> | undefined;
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (character) => `\\${character}`);
}

function toUnitVector(vector: readonly number[], dimensions: number): Float32Array {
  if (!Array.isArray(vector) || vector.length !== dimensions) {
    throw new EmbeddingDimensionMismatchError(dimensions, Array.isArray(vector) ? vector.length : 0);
  }
  const unit = Float32Array.from(vector);
  let norm = 0;
  for (const value of unit) norm += value * value;
  norm = Math.sqrt(norm);
  if (norm > 0)
    for (let index = 0; index < unit.length; index++) unit[index] = (unit[index] as number) / norm;
  return unit;
}

function encodeVector(vector: Float32Array): string {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64');
}

function decodeVector(text: string, dimensions: number): Float32Array | undefined {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== dimensions * 4) return undefined;
  const vector = new Float32Array(dimensions);
  for (let index = 0; index < dimensions; index++) vector[index] = bytes.readFloatLE(index * 4);
  return vector;
}

function parseItem(text: string | null, partition: string): StoredItem | undefined {
  if (text === null) return undefined;
  try {
    const item = JSON.parse(text) as StoredItem;
    return item.p === partition && typeof item.v === 'string' && typeof item.x === 'number'
      ? item
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The hash field (and zset member) of an item: its id behind its full partition name, length-prefixed,
 * so that two partitions whose key hashes collide still never share or overwrite a field.
 */
function fieldOf(partition: string, id: string): string {
  return `${partition.length}:${partition}${id}`;
}

function idOf(partition: string, field: string): string | undefined {
  const head = `${partition.length}:${partition}`;
  return field.startsWith(head) ? field.slice(head.length) : undefined;
}

/** Orders two stream ids (`<ms>-<seq>`). */
function compareStreamIds(left: string, right: string): number {
  const [leftMs = 0, leftSeq = 0] = left.split('-').map(Number);
  const [rightMs = 0, rightSeq = 0] = right.split('-').map(Number);
  return leftMs === rightMs ? leftSeq - rightSeq : leftMs - rightMs;
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * A `VectorIndex` every replica shares, on plain Redis (no search module): items are durable in
 * Redis, each replica answers queries from a local mirror kept in sync from a change stream.
 *
 * Layout (`P` = key prefix; `{…}` is the Redis Cluster hash tag, so one partition is one slot and
 * every multi-key command stays in it):
 * - `{P p:<hash of partition>}:e`: hash field → item (full partition name, unit vector, payload,
 *   deadline), the field being the id behind the length-prefixed partition name;
 * - `{P p:<hash>}:x`: zset field → deadline, for expiry and the per-partition cap;
 * - `{P g}:changes`: the change stream (upserted ids, deleted ids, cleared prefixes, writer), trimmed
 *   to `streamMaxLength`; `{P g}:partitions`: hash partition → deadline, to find partitions by prefix.
 *
 * Guarantees:
 * - **Isolation**: a query reads only its partition's mirror, keyed by the full partition name, and
 *   every item read from Redis is checked against that name: look-alike or colliding names never mix.
 * - **Shared, quickly**: an upsert on one replica is visible to its own queries at once and to the
 *   other replicas' as soon as they read the stream (blocking `XREAD`: milliseconds). A replica
 *   mirrors a partition from its first query on (that query waits for the load).
 * - **Bounded**: every item has a deadline (`entryTtlMs` after its upsert) enforced in Redis (the
 *   partition's keys carry a TTL, expired items are dropped on each write) and in the mirrors; each
 *   partition holds at most `maxItemsPerPartition`; each replica mirrors at most
 *   `maxMirroredPartitions` partitions and `maxMirroredItems` items.
 * - **Approximate, measured**: partitions of `exactScanBelow` items or more are searched through an
 *   HNSW graph; the `cache` bench reports its recall against the exact scan.
 * - **Failure**: writes fail with `CacheUnavailableError` when Redis does; queries keep answering from
 *   the mirror (a partition not mirrored yet fails). After a lost stream connection every mirrored
 *   partition is reloaded in the background (changes may have been missed); the old mirror serves
 *   meanwhile. Changes are hints: a replica re-reads the items they name, so a replayed or reordered
 *   change cannot resurrect a deleted item.
 */
export class RedisVectorIndex implements VectorIndex {
  readonly name = 'redis';
  private readonly client: RedisClient;
  private readonly reader: RedisClient;
  private readonly dimensions: number;
  private readonly prefix: string;
  private readonly entryTtlMs: number;
  private readonly maxItems: number;
  private readonly maxPartitions: number;
  private readonly maxMirroredItems: number;
  private readonly exactScanBelow: number;
  private readonly hnsw: HnswOptions;
  private readonly streamMaxLength: number;
  private readonly now: () => number;
  private readonly hashPartition: (partition: string) => string;
  private readonly writerId = randomUUID();
  private readonly mirrors = new Map<string, MirrorState>();
  private streamPosition: Promise<string> | undefined;
  private lastId: string | undefined;
  private tail: Promise<void> | undefined;
  private upserts = 0;
  private closed = false;
  /** Resolves on `close()`: a blocked read of a cluster client that is disconnected never settles. */
  private stopTail: () => void = () => undefined;
  private readonly tailStopped = new Promise<null>((resolve) => (this.stopTail = () => resolve(null)));

  constructor(options: RedisVectorIndexOptions) {
    assertBound('dimensions', options.dimensions);
    for (const option of [
      'entryTtlMs',
      'maxItemsPerPartition',
      'maxMirroredPartitions',
      'maxMirroredItems',
      'exactScanBelow',
      'streamMaxLength',
      'commandTimeoutMs',
    ] as const) {
      assertBound(option, options[option]);
    }
    const prefix = options.keyPrefix ?? 'ai-scale:vi:';
    if (!PREFIX_PATTERN.test(prefix)) {
      throw new InvalidCacheKeyError('prefix', `keyPrefix must match ${PREFIX_PATTERN.source}`);
    }
    resolveRedisTarget(options);
    this.dimensions = options.dimensions;
    this.prefix = prefix;
    this.entryTtlMs = options.entryTtlMs ?? 24 * 60 * 60 * 1000;
    this.maxItems = options.maxItemsPerPartition ?? 100_000;
    this.maxPartitions = options.maxMirroredPartitions ?? 256;
    this.maxMirroredItems = options.maxMirroredItems ?? 250_000;
    this.exactScanBelow = options.exactScanBelow ?? 4096;
    this.hnsw = { m: 16, efConstruction: 64, efSearch: 100, ...options.hnsw };
    this.streamMaxLength = options.streamMaxLength ?? 100_000;
    this.now = options.now ?? Date.now;
    this.hashPartition =
      options.hashPartition ??
      ((partition) => createHash('sha256').update(partition).digest('base64url').slice(0, 22));
    this.client = createRedisClient(options, { commandTimeoutMs: options.commandTimeoutMs ?? 1000 });
    this.reader = createRedisClient(options, { commandTimeoutMs: undefined });
    this.tail = this.tailChanges();
  }

  private partitionKeys(partition: string): [string, string] {
    const tag = `{${this.prefix}p:${this.hashPartition(partition)}}`;
    return [`${tag}:e`, `${tag}:x`];
  }

  private get streamKey(): string {
    return `{${this.prefix}g}:changes`;
  }

  private get registryKey(): string {
    return `{${this.prefix}g}:partitions`;
  }

  private async call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    if (this.closed) throw new CacheUnavailableError(`${operation} (index closed)`);
    try {
      return await run();
    } catch (error) {
      throw new CacheUnavailableError(operation, error);
    }
  }

  private assertPartition(partition: string): void {
    if (typeof partition !== 'string' || partition.length === 0 || partition.length > 1024) {
      throw new InvalidCacheKeyError('namespace', 'a partition name must have 1-1024 characters');
    }
  }

  /** Publishes a change to every replica (one command: the stream and the registry share a slot). */
  private async publish(fields: Record<string, string>, registryDeadline?: string): Promise<void> {
    const flat = Object.entries({ ...fields, w: this.writerId }).flat();
    const multi = this.client.multi();
    if (registryDeadline !== undefined && fields.p !== undefined) {
      multi.hset(this.registryKey, fields.p, registryDeadline);
    }
    multi.xadd(this.streamKey, 'MAXLEN', '~', String(this.streamMaxLength), '*', ...flat);
    const results = await multi.exec();
    const failed = results?.find(([error]) => error !== null)?.[0];
    if (failed) throw failed;
  }

  async upsert(partition: string, items: readonly VectorIndexItem[]): Promise<void> {
    this.assertPartition(partition);
    const vectors = items.map((item) => toUnitVector(item.vector, this.dimensions));
    items.forEach((item) => serializeValue(item.payload));
    if (items.length === 0) return;
    const now = this.now();
    const deadline = now + this.entryTtlMs;
    const args: string[] = [String(now), String(this.maxItems), String(this.entryTtlMs)];
    items.forEach((item, index) => {
      const stored: StoredItem = {
        p: partition,
        v: encodeVector(vectors[index] as Float32Array),
        d: item.payload,
        x: deadline,
      };
      args.push(fieldOf(partition, item.id), String(deadline), JSON.stringify(stored));
    });
    const [entries, deadlines] = this.partitionKeys(partition);
    const upserted = new Set(items.map((item) => item.id));
    const dropped = (await this.call('upsert', () =>
      this.client.eval(UPSERT_SCRIPT, 2, entries, deadlines, ...args),
    )) as string[];
    const removed = dropped
      .map((field) => idOf(partition, field))
      .filter((id): id is string => id !== undefined && !upserted.has(id));
    // Locally first: this replica's next query sees the items even before the stream round trip.
    const state = this.mirrors.get(partition);
    if (state !== undefined) {
      if (state.loading !== undefined) state.pending.push({ kind: 'upsert', ids: [...upserted] });
      const mirror = state.partition;
      if (mirror !== undefined) {
        items.forEach((item, index) =>
          mirror.upsert(item.id, vectors[index] as Float32Array, item.payload, deadline),
        );
        removed.forEach((id) => mirror.remove(id));
        this.scheduleLinking(state);
      }
    }
    await this.call('upsert (publish)', () =>
      this.publish(
        { o: 'u', p: partition, i: JSON.stringify([...upserted]), r: JSON.stringify(removed) },
        String(deadline),
      ),
    );
    if (++this.upserts % REGISTRY_PRUNE_EVERY === 0) void this.pruneRegistry().catch(() => undefined);
  }

  async query(partition: string, vector: readonly number[], topK: number): Promise<VectorIndexMatch[]> {
    this.assertPartition(partition);
    const unit = toUnitVector(vector, this.dimensions);
    if (topK < 1) return [];
    const mirror = await this.mirrorOf(partition);
    const now = this.now();
    const state = this.mirrors.get(partition);
    if (state !== undefined && now >= state.nextSweepAt) {
      state.nextSweepAt = now + 60_000;
      mirror.sweep(now);
    }
    if (state !== undefined) this.scheduleLinking(state);
    return mirror.query(unit, topK, now);
  }

  /** The exact scan of the mirror, for measuring the HNSW recall against it (bench, tests). */
  async queryExact(partition: string, vector: readonly number[], topK: number): Promise<VectorIndexMatch[]> {
    this.assertPartition(partition);
    const unit = toUnitVector(vector, this.dimensions);
    return (await this.mirrorOf(partition)).query(unit, topK, this.now(), true);
  }

  async delete(partition: string, ids: readonly string[]): Promise<void> {
    this.assertPartition(partition);
    if (ids.length === 0) return;
    const [entries, deadlines] = this.partitionKeys(partition);
    const fields = ids.map((id) => fieldOf(partition, id));
    await this.call('delete', () => this.client.eval(DELETE_SCRIPT, 2, entries, deadlines, ...fields));
    const state = this.mirrors.get(partition);
    if (state?.loading !== undefined) state.pending.push({ kind: 'delete', ids });
    ids.forEach((id) => state?.partition?.remove(id));
    await this.call('delete (publish)', () =>
      this.publish({ o: 'd', p: partition, i: JSON.stringify(ids), r: '[]' }),
    );
  }

  async deletePartitionsByPrefix(prefix: string): Promise<number> {
    if (typeof prefix !== 'string') throw new InvalidCacheKeyError('prefix', 'must be a string');
    const names = new Set<string>();
    await this.call('deletePartitionsByPrefix', async () => {
      let cursor = '0';
      do {
        const [next, flat] = await this.client.hscan(
          this.registryKey,
          cursor,
          'MATCH',
          `${escapeGlob(prefix)}*`,
          'COUNT',
          500,
        );
        cursor = next;
        for (let index = 0; index < flat.length; index += 2) names.add(flat[index] as string);
      } while (cursor !== '0');
    });
    for (const name of this.mirrors.keys()) if (name.startsWith(prefix)) names.add(name);
    let deleted = 0;
    for (const name of names) {
      const [entries, deadlines] = this.partitionKeys(name);
      deleted += Number(
        await this.call('clear', () => this.client.eval(CLEAR_SCRIPT, 2, entries, deadlines)),
      );
    }
    this.dropMirrors(prefix);
    await this.call('deletePartitionsByPrefix (publish)', async () => {
      if (names.size > 0) await this.client.hdel(this.registryKey, ...names);
      await this.publish({ o: 'c', x: prefix });
    });
    return deleted;
  }

  private dropMirrors(prefix: string): void {
    for (const [name, state] of this.mirrors) {
      if (name.startsWith(prefix)) {
        state.cancelled = true;
        this.mirrors.delete(name);
      }
    }
  }

  /** Removes registry entries of partitions whose items have all expired. */
  private async pruneRegistry(): Promise<void> {
    const now = this.now();
    let cursor = '0';
    do {
      const [next, flat] = await this.client.hscan(this.registryKey, cursor, 'COUNT', 500);
      cursor = next;
      const expired: string[] = [];
      for (let index = 0; index < flat.length; index += 2) {
        if (Number(flat[index + 1]) <= now) expired.push(flat[index] as string);
      }
      if (expired.length > 0) await this.client.hdel(this.registryKey, ...expired);
    } while (cursor !== '0');
  }

  /** The mirror of a partition, loading it on first use (concurrent callers share the load). */
  private async mirrorOf(partition: string): Promise<MirrorPartition> {
    let state = this.mirrors.get(partition);
    if (state === undefined) {
      state = {
        partition: undefined,
        loading: undefined,
        pending: [],
        cancelled: false,
        nextSweepAt: 0,
        linking: undefined,
      };
      this.mirrors.set(partition, state);
      state.loading = this.load(partition, state);
      this.enforceMirrorBounds(partition);
    } else if (state.partition === undefined && state.loading === undefined) {
      state.loading = this.load(partition, state); // the previous load failed: try again
    } else {
      // Least recently used last: Map order is insertion order.
      this.mirrors.delete(partition);
      this.mirrors.set(partition, state);
    }
    if (state.partition === undefined) {
      await state.loading;
      if (state.partition === undefined) throw new CacheUnavailableError('query (partition load)');
    }
    return state.partition;
  }

  private enforceMirrorBounds(keep: string): void {
    let items = 0;
    for (const state of this.mirrors.values()) items += state.partition?.size ?? 0;
    for (const [name, state] of this.mirrors) {
      if (this.mirrors.size <= this.maxPartitions && items <= this.maxMirroredItems) break;
      if (name === keep) continue;
      items -= state.partition?.size ?? 0;
      state.cancelled = true;
      this.mirrors.delete(name);
    }
  }

  /**
   * Reads the partition from Redis into a new mirror, replays the changes seen meanwhile, then swaps
   * it in (a resync keeps serving the old mirror until then).
   */
  private async load(partition: string, state: MirrorState): Promise<void> {
    try {
      await this.position();
      const mirror = new MirrorPartition(this.dimensions, {
        ...this.hnsw,
        exactScanBelow: this.exactScanBelow,
        maxItems: this.maxItems,
      });
      const [entries] = this.partitionKeys(partition);
      let cursor = '0';
      let inserted = 0;
      do {
        const [next, flat] = await this.call('load', () =>
          this.client.hscan(entries, cursor, 'COUNT', LOAD_BATCH),
        );
        cursor = next;
        const now = this.now();
        for (let index = 0; index < flat.length; index += 2) {
          const id = idOf(partition, flat[index] as string);
          const item = parseItem(flat[index + 1] as string, partition);
          const vector = item === undefined ? undefined : decodeVector(item.v, this.dimensions);
          if (id === undefined || item === undefined || vector === undefined || item.x <= now) continue;
          mirror.upsert(id, vector, item.d, item.x, true);
          if (++inserted % YIELD_EVERY === 0) await yieldToEventLoop();
        }
        if (state.cancelled) return;
      } while (cursor !== '0');
      // Changes that arrived during the load, in order, until none is left.
      while (state.pending.length > 0 && !state.cancelled) {
        const changes = state.pending.splice(0);
        for (const change of changes) await this.applyChange(partition, mirror, change);
      }
      if (!state.cancelled) {
        state.partition = mirror;
        this.scheduleLinking(state);
      }
    } finally {
      state.loading = undefined;
      state.pending = [];
    }
  }

  /**
   * Links a partition's stored items into its HNSW graph in slices between other work, so that a
   * large load never blocks the event loop; queries scan exactly until it is done.
   */
  private scheduleLinking(state: MirrorState): void {
    if (state.linking !== undefined || (state.partition?.unlinked ?? 0) === 0) return;
    state.linking = (async () => {
      for (;;) {
        const mirror = state.partition;
        if (state.cancelled || this.closed || mirror === undefined || mirror.unlinked === 0) return;
        mirror.linkPending(LINK_SLICE);
        await yieldToEventLoop();
      }
    })().finally(() => {
      state.linking = undefined;
    });
  }

  /**
   * Resolves once every partition this replica mirrors is linked into its graph (until then their
   * queries scan exactly): for benchmarks that measure the steady state after a load.
   */
  async indexed(): Promise<void> {
    for (;;) {
      const busy = [...this.mirrors.values()].filter(
        (state) => state.loading !== undefined || (state.partition?.unlinked ?? 0) > 0,
      );
      if (busy.length === 0 || this.closed) return;
      for (const state of busy) {
        await state.loading?.catch(() => undefined);
        this.scheduleLinking(state);
        await state.linking;
      }
    }
  }

  private async applyChange(partition: string, mirror: MirrorPartition, change: Change): Promise<void> {
    if (change.ids.length === 0) return;
    if (change.kind === 'delete') {
      change.ids.forEach((id) => mirror.remove(id));
      return;
    }
    const [entries] = this.partitionKeys(partition);
    const texts = await this.call('sync', () =>
      this.client.hmget(entries, ...change.ids.map((id) => fieldOf(partition, id))),
    );
    const now = this.now();
    change.ids.forEach((id, index) => {
      const item = parseItem(texts[index] ?? null, partition);
      const vector = item === undefined ? undefined : decodeVector(item.v, this.dimensions);
      if (item === undefined || vector === undefined || item.x <= now) mirror.remove(id);
      else mirror.upsert(id, vector, item.d, item.x);
    });
  }

  /** The stream id this replica has read up to, fetched once (shared by the first load and the tail). */
  private position(): Promise<string> {
    this.streamPosition ??= this.call('position', async () => {
      const last = await this.client.xrevrange(this.streamKey, '+', '-', 'COUNT', 1);
      return last[0]?.[0] ?? '0-0';
    }).catch((error: unknown) => {
      this.streamPosition = undefined;
      throw error;
    });
    return this.streamPosition;
  }

  /** Follows the change stream until `close()`; on a lost connection, resyncs every mirror. */
  private async tailChanges(): Promise<void> {
    let failed = false;
    while (!this.closed) {
      try {
        this.lastId ??= await this.position();
        const read = this.reader.xread('COUNT', 1000, 'BLOCK', 1000, 'STREAMS', this.streamKey, this.lastId);
        read.catch(() => undefined); // settles (or not) after close: never an unhandled rejection
        const reply = (await Promise.race([read, this.tailStopped])) as Array<
          [string, Array<[string, string[]]>]
        > | null;
        if (this.closed) return;
        if (failed) {
          failed = false;
          this.resyncAll();
        }
        for (const [, entries] of reply ?? []) {
          for (const [id, fields] of entries) {
            await this.applyStreamEntry(fields);
            this.lastId = id;
          }
        }
      } catch {
        if (this.closed) return;
        failed = true;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  private async applyStreamEntry(fields: string[]): Promise<void> {
    const entry: Record<string, string> = {};
    for (let index = 0; index + 1 < fields.length; index += 2)
      entry[fields[index] as string] = fields[index + 1] as string;
    if (entry.w === this.writerId) return; // applied locally when written
    if (entry.o === 'c' && entry.x !== undefined) {
      this.dropMirrors(entry.x);
      return;
    }
    const partition = entry.p;
    const state = partition === undefined ? undefined : this.mirrors.get(partition);
    if (state === undefined || partition === undefined) return; // not mirrored here: loaded when queried
    let ids: string[];
    let removed: string[];
    try {
      ids = JSON.parse(entry.i ?? '[]') as string[];
      removed = JSON.parse(entry.r ?? '[]') as string[];
    } catch {
      return;
    }
    const changes: Change[] = [
      { kind: entry.o === 'd' ? 'delete' : 'upsert', ids },
      { kind: 'delete', ids: removed },
    ];
    if (state.loading !== undefined) state.pending.push(...changes);
    const mirror = state.partition;
    if (mirror !== undefined) {
      try {
        for (const change of changes) await this.applyChange(partition, mirror, change);
      } catch {
        // The items could not be read (Redis slow or down): reload the partition rather than
        // silently keep a mirror that misses them. The old mirror serves meanwhile.
        this.resync(partition, state);
      }
      this.scheduleLinking(state);
    }
  }

  /** After a stream outage: reload every mirrored partition; the old mirrors serve until then. */
  private resyncAll(): void {
    for (const [partition, state] of this.mirrors) this.resync(partition, state);
  }

  private resync(partition: string, state: MirrorState): void {
    if (state.loading !== undefined) return;
    state.loading = this.load(partition, state);
    state.loading.catch(() => undefined);
  }

  /**
   * Resolves once this replica has applied every change published (by any replica) before the call:
   * for tests and benchmarks that must not race the stream. Fails after `timeoutMs`.
   */
  async catchUp(timeoutMs = 10_000): Promise<void> {
    const last = await this.call('catchUp', () =>
      this.client.xrevrange(this.streamKey, '+', '-', 'COUNT', 1),
    );
    const target = last[0]?.[0];
    if (target === undefined) return;
    const deadline = Date.now() + timeoutMs;
    while (compareStreamIds(this.lastId ?? '0-0', target) < 0) {
      if (this.closed || Date.now() > deadline) throw new CacheUnavailableError('catchUp (stream lag)');
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const state of this.mirrors.values()) state.cancelled = true;
    this.mirrors.clear();
    this.stopTail();
    this.reader.disconnect();
    // The client closes before the tail is awaited: a tail still waiting on its first command (the
    // stream position, on a cluster client still connecting) would otherwise wait for a client that
    // is only closed after it — a close that never returns. Closing rejects that command; the tail ends.
    const closing = closeRedisClient(this.client);
    await this.tail?.catch(() => undefined);
    await closing;
  }
}
