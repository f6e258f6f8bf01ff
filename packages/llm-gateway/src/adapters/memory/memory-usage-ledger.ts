import {
  EMPTY_TOTALS,
  periodRange,
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
  private dayStart = 0;
  private dayEnd = 0;
  private dayLabel = '';

  async record(entry: UsageEntry): Promise<void> {
    this.entries.push(entry);
    const { day, month } = this.keysFor(entry.tenantId, entry.at);
    this.bump(day, entry);
    this.bump(month, entry);
  }

  async totals(tenantId: string, period: UsagePeriod, at: Date = new Date()): Promise<UsageTotals> {
    const keys = this.keysFor(tenantId, at);
    return { ...(this.running.get(period === 'day' ? keys.day : keys.month) ?? EMPTY_TOTALS) };
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

  private bump(key: string, entry: UsageEntry): void {
    let totals = this.running.get(key);
    if (!totals) {
      totals = { ...EMPTY_TOTALS };
      this.running.set(key, totals);
    }
    add(totals, entry);
  }

  /** Running-total keys; the UTC day's bounds are cached so the hot path formats no dates. */
  private keysFor(tenantId: string, at: Date): { day: string; month: string } {
    const time = at.getTime();
    if (time < this.dayStart || time >= this.dayEnd) {
      const range = periodRange('day', at);
      this.dayStart = range.from.getTime();
      this.dayEnd = range.to.getTime();
      this.dayLabel = dayKey(at);
    }
    return {
      day: `${tenantId}\u0000d${this.dayLabel}`,
      month: `${tenantId}\u0000m${this.dayLabel.slice(0, 7)}`,
    };
  }

  /** Every entry recorded, oldest first (for tests and exports). */
  all(): readonly UsageEntry[] {
    return this.entries;
  }
}
