import type { BucketLimit, RateLimiter } from '../../ports/rate-limiter';

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** Token buckets in process memory: exact within one process, per replica when there are several. */
export class MemoryRateLimiter implements RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly now: () => number = Date.now) {}

  take(key: string, amount: number, limit: BucketLimit): Promise<number> {
    const bucket = this.refilled(key, limit);
    const needed = Math.min(amount, limit.capacity);
    if (bucket.tokens >= needed) {
      bucket.tokens -= needed;
      return Promise.resolve(0);
    }
    return Promise.resolve(
      Math.max(1, Math.ceil(((needed - bucket.tokens) * limit.intervalMs) / limit.capacity)),
    );
  }

  refund(key: string, amount: number, limit: BucketLimit): Promise<void> {
    const bucket = this.refilled(key, limit);
    bucket.tokens = Math.min(limit.capacity, bucket.tokens + Math.min(amount, limit.capacity));
    return Promise.resolve();
  }

  private refilled(key: string, limit: BucketLimit): Bucket {
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { tokens: limit.capacity, updatedAt: now };
      this.buckets.set(key, bucket);
    } else if (now > bucket.updatedAt) {
      bucket.tokens = Math.min(
        limit.capacity,
        bucket.tokens + ((now - bucket.updatedAt) * limit.capacity) / limit.intervalMs,
      );
      bucket.updatedAt = now;
    }
    return bucket;
  }
}
