import { rm3Expansion } from './rm3';

describe('rm3Expansion', () => {
  it('interpolates the query model with the feedback documents’ relevance model', () => {
    const expanded = rm3Expansion(
      [{ term: 'wing', weight: 1 }],
      [
        { terms: ['wing', 'flutter', 'flutter', 'panel'], score: 3 },
        { terms: ['wing', 'flutter'], score: 1 },
      ],
      { feedbackTerms: 10, originalQueryWeight: 0.5 },
    );
    // P(w|R): wing 3/4·1/4 + 1/4·1/2 = 0.3125; flutter 3/4·2/4 + 1/4·1/2 = 0.5; panel 3/4·1/4 = 0.1875.
    const weights = Object.fromEntries(expanded.map(({ term, weight }) => [term, weight]));
    expect(weights.wing).toBeCloseTo(0.5 + 0.5 * 0.3125, 10);
    expect(weights.flutter).toBeCloseTo(0.5 * 0.5, 10);
    expect(weights.panel).toBeCloseTo(0.5 * 0.1875, 10);
    expect(expanded.map(({ term }) => term)).toEqual(['wing', 'flutter', 'panel']);
    expect(expanded.reduce((sum, { weight }) => sum + weight, 0)).toBeCloseTo(1, 10);
  });

  it('keeps only the most probable feedback terms, renormalized', () => {
    const expanded = rm3Expansion(
      [{ term: 'shock', weight: 2 }],
      [{ terms: ['cone', 'cone', 'cone', 'nozzle', 'nozzle', 'jet'], score: 1 }],
      { feedbackTerms: 2, originalQueryWeight: 0.7 },
    );
    expect(expanded.map(({ term }) => term)).toEqual(['shock', 'cone', 'nozzle']);
    expect(expanded[1]?.weight).toBeCloseTo(0.3 * (3 / 5), 10);
    expect(expanded[2]?.weight).toBeCloseTo(0.3 * (2 / 5), 10);
  });

  it('weights feedback documents by their first-pass scores, and equally when none is positive', () => {
    const byScore = rm3Expansion(
      [],
      [
        { terms: ['a1'], score: 9 },
        { terms: ['b1'], score: 1 },
      ],
    );
    expect(byScore.map(({ term, weight }) => [term, Number(weight.toFixed(6))])).toEqual([
      ['a1', 0.9],
      ['b1', 0.1],
    ]);
    const equal = rm3Expansion(
      [],
      [
        { terms: ['a1'], score: 0 },
        { terms: ['b1'], score: -2 },
      ],
    );
    expect(equal.map(({ weight }) => weight)).toEqual([0.5, 0.5]);
  });

  it('returns the normalized query when there is no feedback', () => {
    expect(
      rm3Expansion(
        [
          { term: 'heat', weight: 3 },
          { term: 'flux', weight: 1 },
        ],
        [],
        { originalQueryWeight: 0.6 },
      ),
    ).toEqual([
      { term: 'heat', weight: 0.6 * 0.75 },
      { term: 'flux', weight: 0.6 * 0.25 },
    ]);
  });
});
