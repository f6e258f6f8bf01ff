import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryVectorIndex } from '../adapters/memory/memory-vector-index';
import { HashingEmbedder, evaluatePairs, parsePairs } from '../testing';
import { VectorSemanticCache } from './vector-semantic-cache';

const pairs = parsePairs(
  readFileSync(join(__dirname, '../../../../bench/datasets/cache-pairs/pairs.jsonl'), 'utf8'),
);

function semanticCache(threshold: number, keyTermGuard: boolean): VectorSemanticCache {
  const embedder = new HashingEmbedder(256);
  return new VectorSemanticCache({
    embedder,
    index: new MemoryVectorIndex({ dimensions: embedder.dimensions }),
    threshold,
    keyTermGuard,
  });
}

describe('semantic cache on the labeled pairs (bench/datasets/cache-pairs)', () => {
  it('has at least 200 pairs of both labels and every near-miss kind', () => {
    expect(pairs.length).toBeGreaterThanOrEqual(200);
    const kinds = new Set(pairs.map((pair) => pair.kind));
    for (const kind of ['paraphrase', 'number', 'entity', 'date', 'negation']) expect(kinds).toContain(kind);
  });

  // HashingEmbedder at threshold 0.75, guard on: measured 0.0% false hits, 65.2% paraphrase hits.
  it('keeps false hits at or below 1% while serving at least 60% of paraphrases', async () => {
    const result = await evaluatePairs(semanticCache(0.75, true), pairs);
    expect(result.falseHitRate).toBeLessThanOrEqual(0.01);
    expect(result.paraphraseHitRate).toBeGreaterThanOrEqual(0.6);
  });

  it('owes that bound to the key-term guard: without it the same threshold serves many near misses', async () => {
    const result = await evaluatePairs(semanticCache(0.75, false), pairs);
    expect(result.falseHitRate).toBeGreaterThan(0.2);
  });
});
