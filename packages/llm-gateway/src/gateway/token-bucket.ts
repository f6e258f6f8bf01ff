/**
 * A token bucket: `capacity` tokens, refilled continuously at `capacity` per `intervalMs`. Used per
 * provider for requests per minute (1 token per call) and tokens per minute (the prompt estimate
 * plus the output reserve per call).
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;
  private readonly refillPerMs: number;

  constructor(
    readonly capacity: number,
    intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = capacity;
    this.updatedAt = now();
    this.refillPerMs = capacity / intervalMs;
  }

  /**
   * Takes `amount` tokens if available and returns 0; otherwise takes nothing and returns how many
   * ms until they would be. A request larger than the capacity is clamped to it, so it can pass
   * alone once the bucket is full rather than never.
   */
  tryTake(amount: number): number {
    this.refill();
    const needed = Math.min(amount, this.capacity);
    if (this.tokens >= needed) {
      this.tokens -= needed;
      return 0;
    }
    return Math.ceil((needed - this.tokens) / this.refillPerMs);
  }

  /** Gives back tokens taken for a call that never reached the provider. */
  refund(amount: number): void {
    this.tokens = Math.min(this.capacity, this.tokens + Math.min(amount, this.capacity));
  }

  private refill(): void {
    const now = this.now();
    if (now > this.updatedAt) {
      this.tokens = Math.min(this.capacity, this.tokens + (now - this.updatedAt) * this.refillPerMs);
      this.updatedAt = now;
    }
  }
}
