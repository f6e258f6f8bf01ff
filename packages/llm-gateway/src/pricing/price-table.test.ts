import { PriceTable } from './price-table';
import prices from './prices.json';

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

  it('prices Anthropic cache writes and cache reads apart (cache_control)', () => {
    // claude-sonnet-4-5: 3 in, 3.75 cache write, 0.30 cache hit, 15 out per million
    const usage = {
      promptTokens: 10_000,
      completionTokens: 1_000,
      cachedTokens: 4_000,
      cacheWriteTokens: 5_000,
    };
    expect(table.cost('claude-sonnet-4-5', usage)).toBeCloseTo(
      (1_000 * 3 + 4_000 * 0.3 + 5_000 * 3.75 + 1_000 * 15) / 1e6,
      12,
    );
    expect(table.worstCaseCost('claude-sonnet-4-5', 1_000, 100)).toBeCloseTo(
      (1_000 * 3.75 + 100 * 15) / 1e6,
      12,
    );
  });

  it('matches exact ids and explicit aliases only: claude-opus-4-5 is not Opus 4, an unlisted snapshot is unknown', () => {
    expect(table.priceOf('claude-opus-4-5')?.input).toBe(5);
    expect(table.priceOf('claude-opus-4-20250514')?.input).toBe(15);
    expect(table.priceOf('claude-3-5-haiku-20241022')).toEqual({
      input: 0.8,
      output: 4,
      cachedInput: 0.08,
      cacheWrite: 1,
    });
    expect(table.priceOf('gpt-4o-mini-2024-07-18')?.input).toBe(0.15);
    expect(table.priceOf('gpt-4o-mini-2099-01-01')).toBeUndefined();
    expect(table.priceOf('claude-opus-4-9')).toBeUndefined();
    expect(table.unknownModels()).toEqual(['gpt-4o-mini-2099-01-01', 'claude-opus-4-9']);
    expect(
      table.cost('extractive', { promptTokens: 10_000, completionTokens: 10_000, cachedTokens: 0 }),
    ).toBe(0);
  });

  it('refuses configured models it cannot price, unless the policy prices them', () => {
    expect(() => table.assertPriced(['gpt-4.1-mini', 'claude-haiku-4-5', 'llama3.3:70b'])).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_MODEL_PRICE', models: ['llama3.3:70b'] }),
    );
    expect(() => new PriceTable(prices, 'zero').assertPriced(['llama3.3:70b'])).not.toThrow();
    const flat = new PriceTable(prices, { usdPerMillion: 2 });
    expect(
      flat.cost('new-model', { promptTokens: 1_000, completionTokens: 500, cachedTokens: 0 }),
    ).toBeCloseTo(0.003, 12);
  });

  it('carries its date and source, and every alias names a listed model', () => {
    expect(table.asOf).toBe('2026-12-02');
    expect(table.source).toContain('platform.claude.com');
    for (const id of Object.values(prices.aliases)) expect(Object.keys(prices.models)).toContain(id);
  });
});

describe('PriceTable.withModels', () => {
  it('adds models (a free local one) and keeps the policy', () => {
    const table = new PriceTable().withModels({ 'my-local': { input: 0, output: 0, cachedInput: 0 } });
    expect(() => table.assertPriced(['my-local', 'gpt-4.1'])).not.toThrow();
    expect(() => table.assertPriced(['other'])).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_MODEL_PRICE' }),
    );
  });
});
