import { randomUUID } from 'node:crypto';
import type { DataSource, Repository, SelectQueryBuilder } from 'typeorm';
import {
  EMPTY_TOTALS,
  periodRange,
  type UsageBreakdownRow,
  type UsageEntry,
  type UsageLedger,
  type UsagePeriod,
  type UsageQuery,
  type UsageTotals,
} from '../../internal';

/**
 * The columns of `@ai-scale/persistence`'s `UsageRecord` entity this adapter reads and writes. The
 * adapter reaches the entity by name through the DataSource, so this package does not depend on
 * the persistence package at run time (only the app that owns the DataSource does).
 */
export interface UsageRecordRow {
  id: string;
  tenantId: string;
  requestId: string;
  /** UTC day `YYYY-MM-DD`: what budgets sum over, through the `(tenant_id, day)` index. */
  day: string;
  provider: string;
  model: string;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  cacheWriteTokens: number;
  costUsd: number;
  usageSource: 'provider' | 'counted';
  cacheKind: 'exact' | 'semantic' | null;
  savedTokens: number;
  savedCostUsd: number;
  createdAt: Date;
}

export interface TypeormUsageLedgerOptions {
  /** An initialised DataSource whose entities include `UsageRecord` (migrated schema). */
  readonly dataSource: DataSource;
  /** The entity's name in the DataSource. Default `UsageRecord`. */
  readonly entityName?: string;
}

type RawTotals = Record<keyof UsageTotals, string | number | null> & { key?: string };

function dayOf(at: Date): string {
  return at.toISOString().slice(0, 10);
}

function toTotals(raw: RawTotals | undefined): UsageTotals {
  if (!raw) return { ...EMPTY_TOTALS };
  return {
    requests: Number(raw.requests ?? 0),
    promptTokens: Number(raw.promptTokens ?? 0),
    completionTokens: Number(raw.completionTokens ?? 0),
    cachedTokens: Number(raw.cachedTokens ?? 0),
    costUsd: Number(raw.costUsd ?? 0),
    savedTokens: Number(raw.savedTokens ?? 0),
    savedCostUsd: Number(raw.savedCostUsd ?? 0),
  };
}

/**
 * A durable `UsageLedger` on TypeORM (PostgreSQL in production, SQLite embedded), one row per call
 * in `usage_records`. Day and month totals sum over the `(tenant_id, day)` index; `query` ranges
 * over `created_at`, which is set to the entry's `at`. The tenant must exist (foreign key).
 */
export class TypeormUsageLedger implements UsageLedger {
  private readonly repository: Repository<UsageRecordRow>;

  constructor(options: TypeormUsageLedgerOptions) {
    this.repository = options.dataSource.getRepository<UsageRecordRow>(options.entityName ?? 'UsageRecord');
  }

  async record(entry: UsageEntry): Promise<void> {
    await this.repository.insert({
      id: randomUUID(),
      tenantId: entry.tenantId,
      requestId: entry.requestId.slice(0, 64),
      day: dayOf(entry.at),
      provider: entry.provider.slice(0, 64),
      model: entry.model.slice(0, 128),
      promptTokens: entry.promptTokens,
      completionTokens: entry.completionTokens,
      cachedTokens: entry.cachedTokens,
      cacheWriteTokens: entry.cacheWriteTokens ?? 0,
      costUsd: entry.costUsd,
      usageSource: entry.usageSource ?? 'provider',
      cacheKind: entry.cacheKind,
      savedTokens: entry.savedTokens,
      savedCostUsd: entry.savedCostUsd,
      createdAt: entry.at,
    });
  }

  async totals(tenantId: string, period: UsagePeriod, at: Date = new Date()): Promise<UsageTotals> {
    const query = this.sums(this.repository.createQueryBuilder('usage')).where('usage.tenantId = :tenantId', {
      tenantId,
    });
    if (period === 'day') {
      query.andWhere('usage.day = :day', { day: dayOf(at) });
    } else {
      const range = periodRange('month', at);
      query.andWhere('usage.day >= :first AND usage.day < :next', {
        first: dayOf(range.from),
        next: dayOf(range.to),
      });
    }
    return toTotals((await query.getRawOne()) as RawTotals | undefined);
  }

  async query(query: UsageQuery): Promise<readonly UsageBreakdownRow[]> {
    const column = query.groupBy === 'day' ? 'usage.day' : 'usage.model';
    const builder = this.sums(this.repository.createQueryBuilder('usage'))
      .addSelect(column, 'key')
      .where('usage.createdAt >= :from AND usage.createdAt < :to', { from: query.from, to: query.to })
      .groupBy(column)
      .orderBy(column, 'ASC');
    if (query.tenantId !== undefined)
      builder.andWhere('usage.tenantId = :tenantId', { tenantId: query.tenantId });
    const rows = (await builder.getRawMany()) as RawTotals[];
    return rows.map((row) => ({ key: String(row.key), ...toTotals(row) }));
  }

  private sums(builder: SelectQueryBuilder<UsageRecordRow>): SelectQueryBuilder<UsageRecordRow> {
    return builder
      .select('COUNT(*)', 'requests')
      .addSelect('COALESCE(SUM(usage.promptTokens), 0)', 'promptTokens')
      .addSelect('COALESCE(SUM(usage.completionTokens), 0)', 'completionTokens')
      .addSelect('COALESCE(SUM(usage.cachedTokens), 0)', 'cachedTokens')
      .addSelect('COALESCE(SUM(usage.costUsd), 0)', 'costUsd')
      .addSelect('COALESCE(SUM(usage.savedTokens), 0)', 'savedTokens')
      .addSelect('COALESCE(SUM(usage.savedCostUsd), 0)', 'savedCostUsd');
  }
}
