/**
 * The `RateLimiter` port: token buckets shared by every caller of a store — one per provider for
 * requests and tokens per minute, one per tenant for tokens per minute. With a shared store (Redis)
 * the limit holds across every replica: N replicas together send one provider's limit, not N×.
 */

export interface BucketLimit {
  /** Tokens the bucket holds when full (e.g. requests or tokens per interval). */
  readonly capacity: number;
  /** Time to refill from empty to full; the bucket refills continuously. */
  readonly intervalMs: number;
}

/**
 * Guarantees (checked by `rateLimiterContract`):
 * - `take` is atomic per key across every process sharing the store: it takes `amount` and answers
 *   0, or takes nothing and answers the ms until `amount` would be there (never 0 when refused).
 *   An amount above the capacity is clamped to it (it passes alone from a full bucket).
 * - `refund` gives back tokens of a call that never reached its target, up to the capacity.
 * - A bucket nobody touched for its interval is full again (and its keys may be dropped).
 */
export interface RateLimiter {
  take(key: string, amount: number, limit: BucketLimit): Promise<number>;
  refund(key: string, amount: number, limit: BucketLimit): Promise<void>;
}
