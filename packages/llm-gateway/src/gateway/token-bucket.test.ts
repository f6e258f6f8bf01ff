import { TokenBucket } from './token-bucket';

describe('TokenBucket', () => {
  it('grants up to its capacity, then says how long to wait, refilling continuously', () => {
    let now = 0;
    const bucket = new TokenBucket(60, 60_000, () => now);
    expect(bucket.tryTake(50)).toBe(0);
    expect(bucket.tryTake(20)).toBe(10_000);
    now += 10_000;
    expect(bucket.tryTake(20)).toBe(0);
    bucket.refund(20);
    expect(bucket.tryTake(20)).toBe(0);
  });

  it('lets a request larger than the capacity through alone when full', () => {
    const bucket = new TokenBucket(100, 60_000, () => 0);
    expect(bucket.tryTake(1_000)).toBe(0);
    expect(bucket.tryTake(1)).toBeGreaterThan(0);
  });
});
