import type { BucketLimit, RateLimiter } from '../../internal';
import { RedisScript, type RedisClient } from './redis-script';

/*
 * One hash per bucket {t: tokens (float), u: epoch ms of the last refill}; refilled lazily by the
 * script that touches it, expired once a full interval has passed (it would be full again anyway).
 * The clock is the caller's (ARGV), so every replica's script agrees on one formula; skew between
 * replicas only shifts refills by the skew.
 */
const REFILL = `
local function refill(key, capacity, interval, now)
  local state = redis.call('HMGET', key, 't', 'u')
  local tokens, updated = tonumber(state[1]), tonumber(state[2])
  if tokens == nil then return capacity end
  if now > updated then tokens = math.min(capacity, tokens + (now - updated) * capacity / interval) end
  return tokens
end
`;

const TAKE = new RedisScript(`${REFILL}
local amount, capacity, interval, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local needed = math.min(amount, capacity)
local tokens = refill(KEYS[1], capacity, interval, now)
if tokens >= needed then
  redis.call('HSET', KEYS[1], 't', tostring(tokens - needed), 'u', now)
  redis.call('PEXPIRE', KEYS[1], interval)
  return 0
end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'u', now)
redis.call('PEXPIRE', KEYS[1], interval)
return math.max(1, math.ceil((needed - tokens) * interval / capacity))
`);

const REFUND = new RedisScript(`${REFILL}
local amount, capacity, interval, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local tokens = math.min(capacity, refill(KEYS[1], capacity, interval, now) + math.min(amount, capacity))
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'u', now)
redis.call('PEXPIRE', KEYS[1], interval)
return 1
`);

export interface RedisRateLimiterOptions {
  /** An ioredis client or cluster, owned by the caller. */
  readonly client: RedisClient;
  /** Key prefix; a bucket lives at `<prefix>:rate:{<key>}` (its own slot). */
  readonly prefix: string;
  readonly now?: () => number;
}

/** Token buckets in Redis (one Lua script per take or refund): one limit for every replica. */
export class RedisRateLimiter implements RateLimiter {
  private readonly now: () => number;

  constructor(private readonly options: RedisRateLimiterOptions) {
    this.now = options.now ?? Date.now;
  }

  async take(key: string, amount: number, limit: BucketLimit): Promise<number> {
    return Number(
      await TAKE.run(
        this.options.client,
        [this.key(key)],
        [amount, limit.capacity, limit.intervalMs, this.now()],
      ),
    );
  }

  async refund(key: string, amount: number, limit: BucketLimit): Promise<void> {
    await REFUND.run(
      this.options.client,
      [this.key(key)],
      [amount, limit.capacity, limit.intervalMs, this.now()],
    );
  }

  private key(key: string): string {
    return `${this.options.prefix}:rate:{${key}}`;
  }
}
