import { type TenantBudget, type TenantLimits } from '@ai-scale/llm-gateway';
import { Tenant } from '@ai-scale/persistence';
import { type DataSource } from 'typeorm';
import { type AppConfig } from '../../config';

interface TenantRow {
  readonly dailyBudgetUsd: number | null;
  readonly monthlyBudgetUsd: number | null;
  readonly tokensPerMinute: number | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A tenant's LLM budgets and token limit for the gateway: its own (the `tenants` row, set through
 * the admin API) else the server's defaults (LLM_TENANT_BUDGET_USD, LLM_TENANT_TOKENS_PER_MINUTE).
 * Rows are cached for `ttlMs` so a call costs no query; an admin change applies within that time.
 */
export class TenantLlmLimits {
  private readonly rows = new Map<string, { row: TenantRow | undefined; until: number }>();

  constructor(
    private readonly dataSource: DataSource | undefined,
    private readonly config: Pick<
      AppConfig,
      'LLM_TENANT_BUDGET_USD' | 'LLM_TENANT_TOKENS_PER_MINUTE' | 'LLM_BUDGET_ON_EXCEEDED'
    >,
    private readonly ttlMs = 5_000,
  ) {}

  async budget(tenantId: string): Promise<TenantBudget | undefined> {
    const row = await this.row(tenantId);
    const monthlyUsd = row?.monthlyBudgetUsd ?? this.config.LLM_TENANT_BUDGET_USD;
    const dailyUsd = row?.dailyBudgetUsd ?? undefined;
    if (monthlyUsd === undefined && dailyUsd === undefined) return undefined;
    return {
      ...(monthlyUsd === undefined ? {} : { monthlyUsd }),
      ...(dailyUsd === undefined ? {} : { dailyUsd }),
      onExceeded: this.config.LLM_BUDGET_ON_EXCEEDED,
    };
  }

  async limits(tenantId: string): Promise<TenantLimits | undefined> {
    const tokensPerMinute =
      (await this.row(tenantId))?.tokensPerMinute ?? this.config.LLM_TENANT_TOKENS_PER_MINUTE;
    return tokensPerMinute === undefined ? undefined : { tokensPerMinute };
  }

  private async row(tenantId: string): Promise<TenantRow | undefined> {
    if (!this.dataSource || !UUID.test(tenantId)) return undefined;
    const now = Date.now();
    const cached = this.rows.get(tenantId);
    if (cached && cached.until > now) return cached.row;
    const found =
      (await this.dataSource.getRepository(Tenant).findOne({
        where: { id: tenantId },
        select: { id: true, dailyBudgetUsd: true, monthlyBudgetUsd: true, tokensPerMinute: true },
      })) ?? undefined;
    if (this.rows.size > 10_000) this.rows.clear();
    this.rows.set(tenantId, { row: found, until: now + this.ttlMs });
    return found;
  }
}
