import { PriceTable } from './price-table';

describe('PriceTable', () => {
  const table = new PriceTable();

  it('prices a call from the JSON table: uncached input, cached input and output', () => {
    // gpt-4o-mini: 0.15 in, 0.075 cached, 0.60 out per million
    expect(
      table.cost('gpt-4o-mini', { promptTokens: 1_000_000, completionTokens: 1_000_000, cachedTokens: 0 }),
    ).toBeCloseTo(0.75, 9);
    expect(
      table.cost('gpt-4o-mini', { promptTokens: 2_000, completionTokens: 500, cachedTokens: 1_000 }),
    ).toBeCloseTo((1_000 * 0.15 + 1_000 * 0.075 + 500 * 0.6) / 1e6, 12);
  });

  it('finds dated snapshots by family prefix and costs local models nothing', () => {
    expect(table.priceOf('claude-3-5-haiku-20241022')).toEqual({ input: 0.8, output: 4, cachedInput: 0.08 });
    expect(table.priceOf('gpt-4o-mini-2024-07-18')?.input).toBe(0.15);
    expect(
      table.cost('extractive', { promptTokens: 10_000, completionTokens: 10_000, cachedTokens: 0 }),
    ).toBe(0);
  });

  it('lists unknown models and costs them 0', () => {
    const local = new PriceTable({ models: { a: { input: 1, output: 1, cachedInput: 1 } } });
    expect(local.cost('mystery', { promptTokens: 5, completionTokens: 5, cachedTokens: 0 })).toBe(0);
    expect(local.unknownModels()).toEqual(['mystery']);
    expect(table.source).toContain('openai.com');
  });
});
