import { Injectable } from '@nestjs/common';
import { BudgetExceededError, type UsageLedger } from '@ai-scale/llm-gateway';
import { type AppConfig, InjectConfig } from '../../config';
import { InjectUsageLedger } from '../../infrastructure/llm/llm.module';
import { InjectTenantStore, type TenantStore } from '../tenants/tenant.store';

/**
 * The tenant's monthly LLM budget (its own, else LLM_TENANT_BUDGET_USD), checked before work that
 * spends tokens (a chat answer, an agent run): over it, `BudgetExceededError` → 402. A cheap early
 * refusal from recorded spend only; the guarantee is the gateway's: every model call reserves its
 * worst case against the same budget (atomic across replicas with LLM_LIMITS_STORE=redis) before
 * any token is bought, so concurrent calls cannot walk past it (infrastructure/llm/create-llm.ts).
 */
@Injectable()
export class BudgetGuard {
  constructor(
    @InjectTenantStore() private readonly tenants: TenantStore,
    @InjectUsageLedger() private readonly ledger: UsageLedger,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  async assertWithinBudget(tenantId: string): Promise<void> {
    const tenant = await this.tenants.getTenant(tenantId);
    const limitUsd = tenant?.monthlyBudgetUsd ?? this.config.LLM_TENANT_BUDGET_USD;
    if (limitUsd === undefined || limitUsd === null) return;
    const spent = await this.ledger.totals(tenantId, 'month');
    if (spent.costUsd >= limitUsd) {
      throw new BudgetExceededError({
        message: `the monthly LLM budget of ${limitUsd} USD is used up (${spent.costUsd.toFixed(4)} USD spent)`,
        tenantId,
        period: 'month',
        limitUsd,
        spentUsd: spent.costUsd,
      });
    }
  }
}
