import { Injectable } from '@nestjs/common';
import { type UsageLedger } from '@ai-scale/llm-gateway';
import { InvalidRequestError } from '../../common/errors';
import { type AppConfig, InjectConfig } from '../../config';
import { InjectUsageLedger } from '../../infrastructure/llm/llm.module';
import { guardDependency } from '../../infrastructure/readiness/dependency-guard';
import { type AuthenticatedTenant } from '../tenants/tenant.store';

const DAY_MS = 86_400_000;

@Injectable()
export class GetUsageUseCase {
  constructor(
    @InjectUsageLedger() private readonly ledger: UsageLedger,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /** Always the caller's tenant: the ledger is queried with the authenticated tenant id only. */
  async execute(tenant: AuthenticatedTenant, range: { from?: string; to?: string }) {
    const to = range.to ? new Date(Date.parse(range.to) + DAY_MS) : new Date(Date.now() + DAY_MS);
    const from = range.from ? new Date(range.from) : new Date(to.getTime() - 31 * DAY_MS);
    if (from >= to) throw new InvalidRequestError('from: must be before `to`', 'from');
    const [byDay, byModel, month] = await guardDependency('database', () =>
      Promise.all([
        this.ledger.query({ tenantId: tenant.id, from, to, groupBy: 'day' }),
        this.ledger.query({ tenantId: tenant.id, from, to, groupBy: 'model' }),
        this.ledger.totals(tenant.id, 'month'),
      ]),
    );
    const total = [...byDay].reduce(
      (sum, row) => ({
        requests: sum.requests + row.requests,
        promptTokens: sum.promptTokens + row.promptTokens,
        completionTokens: sum.completionTokens + row.completionTokens,
        costUsd: sum.costUsd + row.costUsd,
        savedTokens: sum.savedTokens + row.savedTokens,
        savedCostUsd: sum.savedCostUsd + row.savedCostUsd,
      }),
      { requests: 0, promptTokens: 0, completionTokens: 0, costUsd: 0, savedTokens: 0, savedCostUsd: 0 },
    );
    const budget = tenant.monthlyBudgetUsd ?? this.config.LLM_TENANT_BUDGET_USD ?? null;
    return {
      tenantId: tenant.id,
      from: from.toISOString(),
      to: to.toISOString(),
      total,
      byDay: byDay.map(({ key, ...row }) => ({ day: key, ...row })),
      byModel: byModel.map(({ key, ...row }) => ({ model: key, ...row })),
      budget: { monthlyUsd: budget, spentThisMonthUsd: month.costUsd },
    };
  }
}
