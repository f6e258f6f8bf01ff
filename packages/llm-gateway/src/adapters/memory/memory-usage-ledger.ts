import {
  EMPTY_TOTALS,
  type UsageBreakdownRow,
  type UsageEntry,
  type UsageLedger,
  type UsagePeriod,
  type UsageQuery,
  type UsageTotals,
} from '../../ports/usage-ledger';

type MutableTotals = { -readonly [K in keyof UsageTotals]: UsageTotals[K] };

function add(into: MutableTotals, entry: UsageEntry): void {
  into.requests += 1;
  into.promptTokens += entry.promptTokens;
  into.completionTokens += entry.completionTokens;
  into.cachedTokens += entry.cachedTokens;
  into.costUsd += entry.costUsd;
  into.savedTokens += entry.savedTokens;
  into.savedCostUsd += entry.savedCostUsd;
}

export function dayKey(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/**
 * An in-process ledger: every entry kept in memory (lost on restart), with running per-tenant
 * day and month totals so a budget check costs one map lookup. For tests, benchmarks and the
 * embedded single-process mode.
 */
export class MemoryUsageLedger implements UsageLedger {
  private readonly entries: UsageEntry[] = [];
  private readonly running = new Map<string, MutableTotals>();

  async record(entry: UsageEntry): Promise<void> {
    this.entries.push(entry);
    const day = dayKey(entry.at);
    for (const key of [`${entry.tenantId}\u0000d${day}`, `${entry.tenantId}\u0000m${day.slice(0, 7)}`]) {
      let totals = this.running.get(key);
      if (!totals) {
        totals = { ...EMPTY_TOTALS };
        this.running.set(key, totals);
      }
      add(totals, entry);
    }
  }

  async totals(tenantId: string, period: UsagePeriod, at: Date = new Date()): Promise<UsageTotals> {
    const day = dayKey(at);
    const key = period === 'day' ? `${tenantId}\u0000d${day}` : `${tenantId}\u0000m${day.slice(0, 7)}`;
    return { ...(this.running.get(key) ?? EMPTY_TOTALS) };
  }

  async query(query: UsageQuery): Promise<readonly UsageBreakdownRow[]> {
    const groups = new Map<string, MutableTotals>();
    for (const entry of this.entries) {
      if (query.tenantId !== undefined && entry.tenantId !== query.tenantId) continue;
      if (entry.at < query.from || entry.at >= query.to) continue;
      const key = query.groupBy === 'day' ? dayKey(entry.at) : entry.model;
      let totals = groups.get(key);
      if (!totals) {
        totals = { ...EMPTY_TOTALS };
        groups.set(key, totals);
      }
      add(totals, entry);
    }
    return [...groups.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, totals]) => ({ key, ...totals }));
  }

  /** Every entry recorded, oldest first (for tests and exports). */
  all(): readonly UsageEntry[] {
    return this.entries;
  }
}
