import type { RateLimiter } from '../ports/rate-limiter';
import type { ContractTestApi } from './llm-provider-contract';

export interface RateLimiterFixture {
  create(now: () => number): RateLimiter | Promise<RateLimiter>;
  /** Another process's limiter on the same store, when the adapter shares state. */
  createPeer?(now: () => number): RateLimiter | Promise<RateLimiter>;
}

let sequence = 0;

/** The one contract every `RateLimiter` adapter must pass. */
export function rateLimiterContract(test: ContractTestApi, name: string, fixture: RateLimiterFixture): void {
  const { describe, it } = test;
  describe(`RateLimiter contract: ${name}`, () => {
    let clock = 1_800_000_000_000;
    const now = (): number => clock;
    const key = (): string => `bucket-${Date.now().toString(36)}-${++sequence}`;
    const equal = (actual: unknown, expected: unknown, what: string): void => {
      if (JSON.stringify(actual) !== JSON.stringify(expected))
        throw new Error(`${what}: ${JSON.stringify(actual)} !== ${JSON.stringify(expected)}`);
    };
    const perMinute = (capacity: number) => ({ capacity, intervalMs: 60_000 });

    it('takes while tokens last, then answers how long until they are back', async () => {
      const limiter = await fixture.create(now);
      const bucket = key();
      equal(await limiter.take(bucket, 40, perMinute(100)), 0, 'first');
      equal(await limiter.take(bucket, 60, perMinute(100)), 0, 'second');
      // 30 tokens at 100 per minute: 18 s.
      equal(await limiter.take(bucket, 30, perMinute(100)), 18_000, 'refused');
      clock += 18_000;
      equal(await limiter.take(bucket, 30, perMinute(100)), 0, 'refilled');
    });

    it('refunds up to the capacity, and clamps an amount above it', async () => {
      const limiter = await fixture.create(now);
      const bucket = key();
      equal(await limiter.take(bucket, 500, perMinute(100)), 0, 'clamped take from a full bucket');
      equal((await limiter.take(bucket, 1, perMinute(100))) > 0, true, 'now empty');
      await limiter.refund(bucket, 1_000, perMinute(100));
      equal(await limiter.take(bucket, 100, perMinute(100)), 0, 'refunded to full');
      equal((await limiter.take(bucket, 1, perMinute(100))) > 0, true, 'not above full');
    });

    it('holds one limit for every process: 200 concurrent takes of a 50 bucket pass exactly 50', async () => {
      const limiters = [await fixture.create(now)];
      if (fixture.createPeer) limiters.push(await fixture.createPeer(now));
      const bucket = key();
      const waits = await Promise.all(
        Array.from({ length: 200 }, (_, index) =>
          (limiters[index % limiters.length] as RateLimiter).take(bucket, 1, perMinute(50)),
        ),
      );
      equal(waits.filter((wait) => wait === 0).length, 50, 'passed');
    });
  });
}
