import {
  EMPTY_TOTALS,
  periodRange,
  type UsageBreakdownRow,
  type UsageEntry,
  type UsageLedger,
  type UsagePeriod,
  type UsageQuery,
  type UsageTotals,
} from '@ai-scale/llm-gateway';

/** TODO(llm-gateway): use the package's MemoryUsageLedger / TypeORM ledger once exported. */
export class MemoryUsageLedger implements UsageLedger {
  private readonly entries: UsageEntry[] = [];

  async record(entry: UsageEntry): Promise<void> {
    this.entries.push(entry);
  }

  async totals(tenantId: string, period: UsagePeriod, at = new Date()): Promise<UsageTotals> {
    const { from, to } = periodRange(period, at);
    return sum(
      this.entries.filter((entry) => entry.tenantId === tenantId && entry.at >= from && entry.at < to),
    );
  }

  async query(query: UsageQuery): Promise<readonly UsageBreakdownRow[]> {
    const groups = new Map<string, UsageEntry[]>();
    for (const entry of this.entries) {
      if (query.tenantId !== undefined && entry.tenantId !== query.tenantId) continue;
      if (entry.at < query.from || entry.at >= query.to) continue;
      const key =
        query.groupBy === 'day' ? entry.at.toISOString().slice(0, 10) : `${entry.provider}:${entry.model}`;
      groups.set(key, [...(groups.get(key) ?? []), entry]);
    }
    return [...groups.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, entries]) => ({ key, ...sum(entries) }));
  }
}

function sum(entries: readonly UsageEntry[]): UsageTotals {
  return entries.reduce<UsageTotals>(
    (totals, entry) => ({
      requests: totals.requests + 1,
      promptTokens: totals.promptTokens + entry.promptTokens,
      completionTokens: totals.completionTokens + entry.completionTokens,
      cachedTokens: totals.cachedTokens + entry.cachedTokens,
      costUsd: totals.costUsd + entry.costUsd,
      savedTokens: totals.savedTokens + entry.savedTokens,
      savedCostUsd: totals.savedCostUsd + entry.savedCostUsd,
    }),
    EMPTY_TOTALS,
  );
}
