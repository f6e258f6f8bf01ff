import { documentRanking, mrrAt, ndcgAt, recallAt } from './eval-metrics';

describe('eval metrics', () => {
  const judgements = new Map([
    ['a', 2],
    ['b', 1],
    ['c', 1],
  ]);
  it('computes nDCG with graded gains and the ideal ordering', () => {
    expect(ndcgAt(['a', 'b', 'c'], judgements, 10)).toBeCloseTo(1);
    const dcg = 1 / Math.log2(2) + 2 / Math.log2(3);
    const ideal = 2 + 1 / Math.log2(3) + 1 / Math.log2(4);
    expect(ndcgAt(['b', 'a', 'x'], judgements, 10)).toBeCloseTo(dcg / ideal);
  });
  it('computes recall and MRR at a cutoff', () => {
    expect(recallAt(['x', 'a', 'b'], judgements, 2)).toBeCloseTo(1 / 3);
    expect(mrrAt(['x', 'y', 'c'], judgements, 10)).toBeCloseTo(1 / 3);
    expect(mrrAt(['x', 'y', 'c'], judgements, 2)).toBe(0);
  });
  it('ranks a document at its best chunk', () => {
    expect(documentRanking(['d1', 'd2', 'd1', 'd3'])).toEqual(['d1', 'd2', 'd3']);
  });
});
