import { randomUUID } from 'node:crypto';
import { UsageRecord } from '@ai-scale/persistence';
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
import { Between, type DataSource } from 'typeorm';

/**
 * TODO(llm-gateway): use `@ai-scale/llm-gateway/typeorm`'s ledger once it exists. Usage in the
 * `usage_records` table of @ai-scale/persistence, so every API and worker replica bills from the
 * same rows. Aggregation happens in process over the requested range (fine for a tenant's month).
 */
export class TypeormUsageLedger implements UsageLedger {
  constructor(private readonly dataSource: DataSource) {}

  async record(entry: UsageEntry): Promise<void> {
    const repository = this.dataSource.getRepository(UsageRecord);
    await repository.save(
      repository.create({
        id: randomUUID(),
        tenantId: entry.tenantId,
        requestId: entry.requestId.slice(0, 64),
        day: entry.at.toISOString().slice(0, 10),
        provider: entry.provider.slice(0, 64),
        model: entry.model.slice(0, 128),
        promptTokens: entry.promptTokens,
        completionTokens: entry.completionTokens,
        cachedTokens: entry.cachedTokens,
        costUsd: entry.costUsd,
        cacheKind: entry.cacheKind,
        savedTokens: entry.savedTokens,
        savedCostUsd: entry.savedCostUsd,
        createdAt: entry.at,
      }),
    );
  }

  async totals(tenantId: string, period: UsagePeriod, at = new Date()): Promise<UsageTotals> {
    const { from, to } = periodRange(period, at);
    return sum(await this.rows(tenantId, from, to));
  }

  async query(query: UsageQuery): Promise<readonly UsageBreakdownRow[]> {
    const groups = new Map<string, UsageRecord[]>();
    for (const row of await this.rows(query.tenantId, query.from, query.to)) {
      const key = query.groupBy === 'day' ? row.day : `${row.provider}:${row.model}`;
      groups.set(key, [...(groups.get(key) ?? []), row]);
    }
    return [...groups.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, rows]) => ({ key, ...sum(rows) }));
  }

  private rows(tenantId: string | undefined, from: Date, to: Date): Promise<UsageRecord[]> {
    return this.dataSource.getRepository(UsageRecord).find({
      where: { ...(tenantId ? { tenantId } : {}), createdAt: Between(from, new Date(to.getTime() - 1)) },
    });
  }
}

function sum(
  rows: ReadonlyArray<Omit<UsageEntry, 'at' | 'tenantId' | 'requestId' | 'provider' | 'model' | 'cacheKind'>>,
): UsageTotals {
  return rows.reduce<UsageTotals>(
    (totals, row) => ({
      requests: totals.requests + 1,
      promptTokens: totals.promptTokens + row.promptTokens,
      completionTokens: totals.completionTokens + row.completionTokens,
      cachedTokens: totals.cachedTokens + row.cachedTokens,
      costUsd: totals.costUsd + Number(row.costUsd),
      savedTokens: totals.savedTokens + row.savedTokens,
      savedCostUsd: totals.savedCostUsd + Number(row.savedCostUsd),
    }),
    EMPTY_TOTALS,
  );
}
