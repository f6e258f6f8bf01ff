import { rocchioVector } from './rocchio';

describe('rocchioVector', () => {
  it('adds beta times the centroid of the feedback vectors and normalizes', () => {
    const moved = rocchioVector(
      [1, 0, 0],
      [
        [0, 1, 0],
        [0, 0, 1],
      ],
      2,
    );
    // [1, 0, 0] + 2 · [0.5, 0.5]… = [1, 1, 1] → 1/√3 each.
    for (const value of moved) expect(value).toBeCloseTo(1 / Math.sqrt(3), 10);
  });

  it('leaves the query as it is without feedback, with beta 0, and ignores vectors of another length', () => {
    expect(rocchioVector([0.6, 0.8], [], 1)).toEqual([0.6, 0.8]);
    expect(rocchioVector([0.6, 0.8], [[1, 0]], 0)).toEqual([0.6, 0.8]);
    expect(rocchioVector([0.6, 0.8], [[1, 0, 0]], 1)).toEqual([0.6, 0.8]);
  });
});
