/**
 * A Zipf-distributed stream of question ranks, as real question traffic is: a few questions asked
 * very often, a long tail asked once. Rank k (0-based) is drawn with probability ∝ 1 / (k + 1)^s.
 */

// The seeded PRNG (mulberry32) of the cache package's test kit: one implementation, same streams.
export { seededRandom } from '@ai-scale/cache/testing';

export interface ZipfSampler {
  /** Number of distinct ranks. */
  readonly size: number;
  /** The probability of rank k. */
  probability(rank: number): number;
  /** Draws one rank in [0, size). */
  next(): number;
}

/**
 * Samples by binary search over the cumulative distribution (O(log n) a draw, O(n) memory).
 * @param size distinct items (≥ 1)
 * @param exponent s ≥ 0 (0 is uniform; web and question traffic sit around 0.8–1.2)
 */
export function zipfSampler(size: number, exponent: number, random: () => number): ZipfSampler {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`size must be an integer ≥ 1, got ${size}`);
  if (!(exponent >= 0)) throw new RangeError(`exponent must be ≥ 0, got ${exponent}`);
  const cumulative = new Float64Array(size);
  let total = 0;
  for (let rank = 0; rank < size; rank++) {
    total += 1 / (rank + 1) ** exponent;
    cumulative[rank] = total;
  }
  return {
    size,
    probability: (rank) => (rank < 0 || rank >= size ? 0 : 1 / (rank + 1) ** exponent / total),
    next: () => {
      const target = random() * total;
      let low = 0;
      let high = size - 1;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if ((cumulative[middle] as number) > target) high = middle;
        else low = middle + 1;
      }
      return low;
    },
  };
}

/**
 * The share of requests a cache of unlimited size would answer in a stream of `requests` draws:
 * 1 − E[distinct items] / requests, with E[distinct] = Σ_k 1 − (1 − p_k)^requests.
 * The best `model_calls_saved_ratio` the cached mode can reach, to compare the measurement with.
 */
export function expectedHitRatio(sampler: ZipfSampler, requests: number): number {
  if (requests <= 0) return 0;
  let distinct = 0;
  for (let rank = 0; rank < sampler.size; rank++) distinct += 1 - (1 - sampler.probability(rank)) ** requests;
  return 1 - distinct / requests;
}
