import { expectedHitRatio, seededRandom, zipfSampler } from '../src/system/zipf';

describe('zipfSampler', () => {
  it('draws every rank with the Zipf probability 1/(k+1)^s ÷ H', () => {
    const sampler = zipfSampler(50, 1, seededRandom(1));
    const draws = 200_000;
    const counts = new Array<number>(50).fill(0);
    for (let i = 0; i < draws; i++) counts[sampler.next()]!++;
    const harmonic = Array.from({ length: 50 }, (_, k) => 1 / (k + 1)).reduce((a, b) => a + b, 0);
    for (const rank of [0, 1, 4, 49]) {
      const expected = 1 / (rank + 1) / harmonic;
      expect(sampler.probability(rank)).toBeCloseTo(expected, 12);
      // 200k draws: the observed share is within 5 standard deviations of the expected one.
      const sd = Math.sqrt((expected * (1 - expected)) / draws);
      expect(Math.abs(counts[rank]! / draws - expected)).toBeLessThan(5 * sd);
    }
    expect(counts.every((count) => count > 0)).toBe(true);
  });

  it('is uniform with exponent 0 and stays inside [0, size)', () => {
    const sampler = zipfSampler(4, 0, seededRandom(2));
    expect(sampler.probability(3)).toBeCloseTo(0.25);
    expect(sampler.probability(4)).toBe(0);
    for (let i = 0; i < 1000; i++) {
      const rank = sampler.next();
      expect(rank >= 0 && rank < 4).toBe(true);
    }
  });

  it('returns the last rank when the random source gives its maximum', () => {
    expect(zipfSampler(3, 1, () => 0.999_999_999).next()).toBe(2);
    expect(zipfSampler(3, 1, () => 0).next()).toBe(0);
  });

  it('is reproducible from the seed', () => {
    const a = zipfSampler(100, 1.1, seededRandom(7));
    const b = zipfSampler(100, 1.1, seededRandom(7));
    expect(Array.from({ length: 50 }, () => a.next())).toEqual(Array.from({ length: 50 }, () => b.next()));
  });

  it('rejects a bad size or exponent', () => {
    expect(() => zipfSampler(0, 1, Math.random)).toThrow(RangeError);
    expect(() => zipfSampler(2.5, 1, Math.random)).toThrow(RangeError);
    expect(() => zipfSampler(10, -1, Math.random)).toThrow(RangeError);
  });
});

describe('expectedHitRatio', () => {
  it('is 1 − E[distinct]/requests', () => {
    // Two equally likely items, two requests: E[distinct] = 2·(1 − 0.5²) = 1.5 → hit ratio 0.25.
    expect(expectedHitRatio(zipfSampler(2, 0, Math.random), 2)).toBeCloseTo(0.25);
    expect(expectedHitRatio(zipfSampler(2, 0, Math.random), 0)).toBe(0);
  });

  it('matches a simulated unlimited cache', () => {
    const sampler = zipfSampler(1000, 1, seededRandom(3));
    const requests = 5000;
    const seen = new Set<number>();
    let hits = 0;
    for (let i = 0; i < requests; i++) {
      const rank = sampler.next();
      if (seen.has(rank)) hits++;
      seen.add(rank);
    }
    expect(Math.abs(hits / requests - expectedHitRatio(sampler, requests))).toBeLessThan(0.02);
  });
});
