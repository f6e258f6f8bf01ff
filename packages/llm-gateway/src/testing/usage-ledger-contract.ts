import { EMPTY_TOTALS, type UsageEntry, type UsageLedger } from '../ports/usage-ledger';
import type { ContractTestApi } from './llm-provider-contract';

export interface UsageLedgerFixture {
  readonly ledger: UsageLedger;
  /** Makes a fresh tenant and returns its id (a storage may need a tenant row and a UUID). */
  createTenant?(): Promise<string>;
  close?(): Promise<void>;
}

let sequence = 0;

function entry(overrides: Partial<UsageEntry> & Pick<UsageEntry, 'tenantId' | 'at'>): UsageEntry {
  return {
    requestId: `req-${++sequence}`,
    provider: 'openai',
    model: 'gpt-4o-mini',
    promptTokens: 100,
    completionTokens: 20,
    cachedTokens: 0,
    costUsd: 0.000027,
    cacheKind: null,
    savedTokens: 0,
    savedCostUsd: 0,
    ...overrides,
  };
}

/** The one contract every `UsageLedger` adapter must pass; `createFixture` runs once. */
export function usageLedgerContract(
  test: ContractTestApi,
  name: string,
  createFixture: () => Promise<UsageLedgerFixture> | UsageLedgerFixture,
): void {
  const { describe, it, beforeAll, afterAll } = test;
  describe(`UsageLedger contract: ${name}`, () => {
    let fixture: UsageLedgerFixture;
    beforeAll(async () => {
      fixture = await createFixture();
    });
    afterAll(async () => {
      await fixture?.close?.();
    });
    /** A unique tenant per test, so suites can share one database. */
    const tenant = async (label: string): Promise<string> =>
      fixture.createTenant ? fixture.createTenant() : `${label}-${Date.now().toString(36)}-${++sequence}`;

    it('starts at zero for an unknown tenant', async () => {
      expect(await fixture.ledger.totals(await tenant('empty'), 'day')).toEqual(EMPTY_TOTALS);
    });

    it('sums a tenant’s entries by UTC day and month, never another tenant’s', async () => {
      const id = await tenant('sum');
      const other = await tenant('other');
      const at = new Date('2026-03-15T23:30:00Z');
      await fixture.ledger.record(entry({ tenantId: id, at }));
      await fixture.ledger.record(
        entry({ tenantId: id, at: new Date('2026-03-15T00:00:00Z'), costUsd: 0.5, cachedTokens: 40 }),
      );
      await fixture.ledger.record(entry({ tenantId: id, at: new Date('2026-03-16T00:00:00Z'), costUsd: 1 }));
      await fixture.ledger.record(entry({ tenantId: id, at: new Date('2026-04-01T00:00:00Z'), costUsd: 7 }));
      await fixture.ledger.record(entry({ tenantId: other, at, costUsd: 100 }));

      const day = await fixture.ledger.totals(id, 'day', at);
      expect(day.requests).toBe(2);
      expect(day.promptTokens).toBe(200);
      expect(day.completionTokens).toBe(40);
      expect(day.cachedTokens).toBe(40);
      expect(day.costUsd).toBeCloseTo(0.500027, 9);

      const month = await fixture.ledger.totals(id, 'month', at);
      expect(month.requests).toBe(3);
      expect(month.costUsd).toBeCloseTo(1.500027, 9);
    });

    it('records cache hits with the tokens and cost they saved', async () => {
      const id = await tenant('cache');
      const at = new Date('2026-05-02T10:00:00Z');
      await fixture.ledger.record(
        entry({ tenantId: id, at, costUsd: 0, cacheKind: 'semantic', savedTokens: 120, savedCostUsd: 0.25 }),
      );
      const totals = await fixture.ledger.totals(id, 'day', at);
      expect(totals.savedTokens).toBe(120);
      expect(totals.savedCostUsd).toBeCloseTo(0.25, 9);
      expect(totals.costUsd).toBe(0);
    });

    it('groups [from, to) by day and by model, sorted by key', async () => {
      const id = await tenant('group');
      await fixture.ledger.record(
        entry({ tenantId: id, at: new Date('2026-06-01T08:00:00Z'), model: 'gpt-4o' }),
      );
      await fixture.ledger.record(
        entry({ tenantId: id, at: new Date('2026-06-01T09:00:00Z'), model: 'claude-3-5-haiku' }),
      );
      await fixture.ledger.record(
        entry({ tenantId: id, at: new Date('2026-06-02T09:00:00Z'), model: 'gpt-4o' }),
      );
      await fixture.ledger.record(
        entry({ tenantId: id, at: new Date('2026-06-03T00:00:00Z'), model: 'gpt-4o' }),
      );
      const range = {
        tenantId: id,
        from: new Date('2026-06-01T00:00:00Z'),
        to: new Date('2026-06-03T00:00:00Z'),
      };

      const byDay = await fixture.ledger.query({ ...range, groupBy: 'day' });
      expect(byDay.map((row) => [row.key, row.requests])).toEqual([
        ['2026-06-01', 2],
        ['2026-06-02', 1],
      ]);
      const byModel = await fixture.ledger.query({ ...range, groupBy: 'model' });
      expect(byModel.map((row) => [row.key, row.requests, row.promptTokens])).toEqual([
        ['claude-3-5-haiku', 1, 100],
        ['gpt-4o', 2, 200],
      ]);
    });
  });
}
