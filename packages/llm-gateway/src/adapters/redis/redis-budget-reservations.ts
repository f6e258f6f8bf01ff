import {
  nanoUsdCeil,
  nanoUsdFloor,
  usdFromNano,
  type BudgetReservations,
  type BudgetUsage,
  type ReservationOutcome,
  type ReservationRequest,
  type SettleRequest,
} from '../../internal';
import { RedisScript, type RedisClient } from './redis-script';

/*
 * Per budget (scope + key) four keys, all in the scope's hash slot ({scope}):
 *   c — hash {v: committed nano-USD, exp: epoch ms the period ends}   (missing → seed from the ledger)
 *   h — zset hold id → epoch ms the hold expires
 *   a — hash hold id → held nano-USD
 *   s — string, the sum of live holds
 * Expired holds are purged by the next script that touches the budget, so a dead process's hold
 * stops counting at its expiry without any sweeper.
 */
const PURGE = `
local function purge(h, a, s, now)
  local expired = redis.call('ZRANGEBYSCORE', h, '-inf', now)
  for _, id in ipairs(expired) do
    local amount = tonumber(redis.call('HGET', a, id) or '0')
    redis.call('DECRBY', s, amount)
    redis.call('HDEL', a, id)
  end
  if #expired > 0 then redis.call('ZREMRANGEBYSCORE', h, '-inf', now) end
end
local function live(c, now)
  local exp = redis.call('HGET', c, 'exp')
  return exp ~= false and tonumber(exp) > now
end
`;

const RESERVE = new RedisScript(`${PURGE}
local id, amount, now, holdUntil = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local n = #KEYS / 4
local missing = {}
for i = 1, n do
  if not live(KEYS[i * 4 - 3], now) then missing[#missing + 1] = tostring(i) end
end
if #missing > 0 then
  table.insert(missing, 1, 'unseeded')
  return missing
end
local held = false
for i = 1, n do
  purge(KEYS[i * 4 - 2], KEYS[i * 4 - 1], KEYS[i * 4], now)
  if redis.call('ZSCORE', KEYS[i * 4 - 2], id) then held = true end
end
if held then return {'reserved'} end
for i = 1, n do
  local committed = tonumber(redis.call('HGET', KEYS[i * 4 - 3], 'v') or '0')
  local holds = tonumber(redis.call('GET', KEYS[i * 4]) or '0')
  if committed + holds + amount > tonumber(ARGV[3 + i * 2]) then
    return {'exceeded', tostring(i), tostring(committed), tostring(holds)}
  end
end
for i = 1, n do
  local expiresAt = ARGV[4 + i * 2]
  redis.call('ZADD', KEYS[i * 4 - 2], holdUntil, id)
  redis.call('HSET', KEYS[i * 4 - 1], id, amount)
  redis.call('INCRBY', KEYS[i * 4], amount)
  for k = 2, 4 do redis.call('PEXPIREAT', KEYS[i * 4 - 4 + k], expiresAt) end
end
return {'reserved'}
`);

const SETTLE = new RedisScript(`${PURGE}
local id, actual, now, markerMs = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', markerMs) then return 0 end
for i = 0, (#KEYS - 1) / 4 - 1 do
  local c, h, a, s = KEYS[i * 4 + 2], KEYS[i * 4 + 3], KEYS[i * 4 + 4], KEYS[i * 4 + 5]
  local amount = redis.call('HGET', a, id)
  if amount then
    redis.call('DECRBY', s, amount)
    redis.call('HDEL', a, id)
    redis.call('ZREM', h, id)
  end
  if live(c, now) then redis.call('HINCRBY', c, 'v', actual) end
end
return 1
`);

const SEED = new RedisScript(`${PURGE}
local now = tonumber(ARGV[2])
if live(KEYS[1], now) then return 0 end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'exp', ARGV[3])
redis.call('PEXPIREAT', KEYS[1], ARGV[3])
return 1
`);

const USAGE = new RedisScript(`${PURGE}
local now = tonumber(ARGV[1])
if not live(KEYS[1], now) then return false end
purge(KEYS[2], KEYS[3], KEYS[4], now)
return {redis.call('HGET', KEYS[1], 'v') or '0', redis.call('GET', KEYS[4]) or '0'}
`);

export interface RedisBudgetReservationsOptions {
  /** An ioredis client or cluster, owned by the caller (not closed here). */
  readonly client: RedisClient;
  /** Key prefix, e.g. `ai-scale`; keys are `<prefix>:budget:{<scope>}:…` (one slot per tenant). */
  readonly prefix: string;
  /** How long a settle is remembered, so a duplicate settle commits nothing. Default 24 h. */
  readonly settledMemoryMs?: number;
  readonly now?: () => number;
}

/**
 * Budget reservations in Redis, atomic across every replica: each operation is one Lua script
 * over the keys of one tenant (one hash slot, so it also runs on Redis Cluster). Why Redis Lua and
 * not a PostgreSQL row lock: admission is on the hot path of every model call and a script is one
 * round trip with no lock held across the network, where `SELECT … FOR UPDATE` serialises every
 * call of a tenant on a row lock held for a transaction's round trips (and a crashed holder's lock
 * lasts until its connection times out); a hold also needs an expiry, which Redis gives for free.
 * The ledger in PostgreSQL stays the record: a counter that is missing (first use, a flushed
 * Redis) answers `unseeded` and the gateway seeds it from the ledger.
 */
export class RedisBudgetReservations implements BudgetReservations {
  private readonly client: RedisClient;
  private readonly prefix: string;
  private readonly settledMemoryMs: number;
  private readonly now: () => number;

  constructor(options: RedisBudgetReservationsOptions) {
    this.client = options.client;
    this.prefix = options.prefix;
    this.settledMemoryMs = options.settledMemoryMs ?? 86_400_000;
    this.now = options.now ?? Date.now;
  }

  async reserve(request: ReservationRequest): Promise<ReservationOutcome> {
    const now = this.now();
    const args: (string | number)[] = [request.id, nanoUsdCeil(request.amountUsd), now, now + request.holdMs];
    const keys: string[] = [];
    for (const limit of request.limits) {
      keys.push(...this.keys(request.scope, limit.key));
      args.push(nanoUsdFloor(limit.limitUsd), Math.ceil(limit.expiresAt));
    }
    const reply = (await RESERVE.run(this.client, keys, args)) as string[];
    if (reply[0] === 'reserved') return { status: 'reserved' };
    if (reply[0] === 'unseeded') {
      return { status: 'unseeded', keys: reply.slice(1).map((index) => this.limitAt(request, index).key) };
    }
    const limit = this.limitAt(request, reply[1] as string);
    return {
      status: 'exceeded',
      key: limit.key,
      limitUsd: limit.limitUsd,
      committedUsd: usdFromNano(Number(reply[2])),
      heldUsd: usdFromNano(Number(reply[3])),
    };
  }

  async settle(request: SettleRequest): Promise<boolean> {
    const keys = [`${this.base(request.scope)}:settled:${request.id}`];
    for (const key of request.keys) keys.push(...this.keys(request.scope, key));
    const reply = await SETTLE.run(this.client, keys, [
      request.id,
      nanoUsdCeil(request.actualUsd),
      this.now(),
      this.settledMemoryMs,
    ]);
    return reply === 1;
  }

  async seed(scope: string, key: string, committedUsd: number, expiresAt: number): Promise<void> {
    await SEED.run(this.client, this.keys(scope, key), [
      nanoUsdCeil(committedUsd),
      this.now(),
      Math.ceil(expiresAt),
    ]);
  }

  async usage(scope: string, key: string): Promise<BudgetUsage | undefined> {
    const reply = (await USAGE.run(this.client, this.keys(scope, key), [this.now()])) as
      [string, string] | null;
    if (!reply) return undefined;
    return { committedUsd: usdFromNano(Number(reply[0])), heldUsd: usdFromNano(Number(reply[1])) };
  }

  private base(scope: string): string {
    return `${this.prefix}:budget:{${scope}}`;
  }

  private keys(scope: string, key: string): [string, string, string, string] {
    const base = `${this.base(scope)}:${key}`;
    return [`${base}:c`, `${base}:h`, `${base}:a`, `${base}:s`];
  }

  private limitAt(request: ReservationRequest, index: string): ReservationRequest['limits'][number] {
    return request.limits[Number(index) - 1] as ReservationRequest['limits'][number];
  }
}
