import { BudgetExceededError } from '../errors/budget-exceeded.error';
import type { GatewayChatRequest } from '../ports/llm-gateway';
import type { UsageLedger } from '../ports/usage-ledger';
import type { Plan, TenantBudget } from './gateway-options';
import type { RoutePlanner } from './route-planner';

/**
 * The tenant budgets, checked before any provider call: over budget → the plan downgraded to the
 * small tier when the budget allows it, else `BudgetExceededError`.
 */
export class BudgetGate {
  constructor(
    private readonly budgets: ((tenantId: string) => TenantBudget | undefined) | undefined,
    private readonly ledger: UsageLedger | undefined,
    private readonly planner: RoutePlanner,
    private readonly now: () => number,
  ) {}

  async admit(request: GatewayChatRequest, plan: Plan): Promise<Plan> {
    const budget = this.budgets?.(request.tenantId);
    if (!budget || !this.ledger) return plan;
    const over = await this.overBudget(request.tenantId, budget);
    if (!over) return plan;
    if (budget.onExceeded !== 'downgrade' || !this.planner.canDowngrade(plan)) throw over;
    return this.planner.plan(request, true);
  }

  private async overBudget(tenantId: string, budget: TenantBudget): Promise<BudgetExceededError | undefined> {
    const ledger = this.ledger as UsageLedger;
    const at = new Date(this.now());
    for (const [period, limit] of [
      ['day', budget.dailyUsd],
      ['month', budget.monthlyUsd],
    ] as const) {
      if (limit === undefined) continue;
      const spent = (await ledger.totals(tenantId, period, at)).costUsd;
      if (spent >= limit) {
        return new BudgetExceededError({
          message: `tenant ${tenantId} spent ${spent.toFixed(4)} USD of its ${period === 'day' ? 'daily' : 'monthly'} ${limit} USD budget`,
          tenantId,
          period,
          limitUsd: limit,
          spentUsd: spent,
        });
      }
    }
    return undefined;
  }
}
