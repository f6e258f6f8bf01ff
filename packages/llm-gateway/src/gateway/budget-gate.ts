import { BudgetExceededError } from '../errors/budget-exceeded.error';
import { BudgetStoreUnavailableError } from '../errors/budget-store-unavailable.error';
import { LlmGatewayError } from '../errors/llm-gateway.error';
import type { PriceTable } from '../pricing/price-table';
import type { BudgetLimit, BudgetReservations, ReservationOutcome } from '../ports/budget-reservations';
import type { GatewayChatRequest } from '../ports/llm-gateway';
import { periodRange, type UsageLedger, type UsagePeriod } from '../ports/usage-ledger';
import type { Plan, RoutingLlmGatewayOptions, TenantBudget } from './gateway-options';
import { outputReserve, type RoutePlanner } from './route-planner';

const DAY_MS = 86_400_000;

/** A call's hold on its budgets; `settle` once with what the call cost (0 when nothing was bought). */
export interface BudgetHold {
  readonly reservedUsd: number;
  settle(actualUsd: number): Promise<void>;
}

const NO_HOLD: BudgetHold = Object.freeze({ reservedUsd: 0, settle: () => Promise.resolve() });

export interface BudgetGateOptions {
  readonly budgets: RoutingLlmGatewayOptions['budgets'];
  readonly reservations: BudgetReservations;
  readonly ledger: UsageLedger | undefined;
  readonly planner: RoutePlanner;
  readonly prices: PriceTable;
  readonly now: () => number;
  /** How long a hold outlives the call's deadline before it expires on its own. */
  readonly holdGraceMs: number;
  /** Counted prompt tokens are multiplied by this before pricing (other vendors' tokenizers differ). */
  readonly promptTokenMargin: number;
  readonly onError: ((error: unknown, where: 'budget') => void) | undefined;
}

/**
 * Reserve, then settle. Before any provider call the call's worst-case cost — its prompt counted,
 * its output reserve (`maxTokens`, else the model's output limit) priced at the most expensive model
 * of its route — is reserved against every budget that applies: the tenant's day and month and the
 * request's own (`request.budgets`). Over budget → the plan downgraded to the small tier when the
 * tenant's budget allows it (and reserved again), else `BudgetExceededError`. A counter the store
 * lacks (first use, a flushed Redis) is seeded from the ledger, which stays the record of spend.
 */
export class BudgetGate {
  constructor(private readonly options: BudgetGateOptions) {}

  async admit(
    request: GatewayChatRequest,
    plan: Plan,
    deadlineMs: number,
    countedPromptTokens: () => number,
  ): Promise<{ plan: Plan; hold: BudgetHold }> {
    const budget = await this.options.budgets?.(request.tenantId);
    const limits = this.limitsFor(request, budget);
    if (limits.length === 0) return { plan, hold: NO_HOLD };
    const promptTokens = Math.ceil(countedPromptTokens() * this.options.promptTokenMargin);
    const holdMs = deadlineMs + this.options.holdGraceMs;
    let outcome = await this.reserve(request, limits, this.worstCase(request, plan, promptTokens), holdMs);
    if (outcome.status === 'reserved')
      return { plan: { ...plan, capOutput: true }, hold: this.hold(request, limits, outcome.amountUsd) };
    if (budget?.onExceeded === 'downgrade' && this.options.planner.canDowngrade(plan)) {
      const downgraded = this.options.planner.plan(request, true);
      outcome = await this.reserve(
        request,
        limits,
        this.worstCase(request, downgraded, promptTokens),
        holdMs,
      );
      if (outcome.status === 'reserved') {
        return {
          plan: { ...downgraded, capOutput: true },
          hold: this.hold(request, limits, outcome.amountUsd),
        };
      }
    }
    throw this.exceeded(request, outcome);
  }

  /** The worst case of a plan: the most expensive model of its chain, full output reserve. */
  private worstCase(request: GatewayChatRequest, plan: Plan, promptTokens: number): number {
    let worst = 0;
    for (const model of plan.chain) {
      worst = Math.max(
        worst,
        this.options.prices.worstCaseCost(model.id, promptTokens, outputReserve(request, model)),
      );
    }
    return worst;
  }

  private limitsFor(request: GatewayChatRequest, budget: TenantBudget | undefined): BudgetLimit[] {
    const limits: BudgetLimit[] = [];
    const at = new Date(this.options.now());
    if (budget?.dailyUsd !== undefined) limits.push(this.periodLimit('day', budget.dailyUsd, at));
    if (budget?.monthlyUsd !== undefined) limits.push(this.periodLimit('month', budget.monthlyUsd, at));
    for (const extra of request.budgets ?? []) {
      limits.push({
        key: `budget:${extra.key}`,
        limitUsd: extra.limitUsd,
        expiresAt: extra.expiresAt ?? at.getTime() + 31 * DAY_MS,
      });
    }
    return limits;
  }

  private periodLimit(period: UsagePeriod, limitUsd: number, at: Date): BudgetLimit {
    const { from, to } = periodRange(period, at);
    const stamp = from.toISOString().slice(0, period === 'day' ? 10 : 7);
    // The counter outlives its period by a day so a late settle still finds it.
    return { key: `${period}:${stamp}`, limitUsd, expiresAt: to.getTime() + DAY_MS };
  }

  private async reserve(
    request: GatewayChatRequest,
    limits: readonly BudgetLimit[],
    amountUsd: number,
    holdMs: number,
  ): Promise<
    (ReservationOutcome & { status: 'exceeded' | 'unseeded' }) | { status: 'reserved'; amountUsd: number }
  > {
    const store = this.options.reservations;
    const reservation = { scope: request.tenantId, id: request.requestId, amountUsd, limits, holdMs };
    for (let round = 0; ; round++) {
      const outcome = await this.guarded(() => store.reserve(reservation));
      if (outcome.status === 'reserved') return { status: 'reserved', amountUsd };
      if (outcome.status === 'exceeded' || round >= 2) return outcome;
      for (const key of outcome.keys) {
        const limit = limits.find((candidate) => candidate.key === key) as BudgetLimit;
        const spent = await this.spentSoFar(request, key);
        await this.guarded(() => store.seed(request.tenantId, key, spent, limit.expiresAt));
      }
    }
  }

  /** What the ledger says was spent in a tenant period; a caller's budget says it itself. */
  private async spentSoFar(request: GatewayChatRequest, key: string): Promise<number> {
    if (key.startsWith('budget:')) {
      return request.budgets?.find((budget) => `budget:${budget.key}` === key)?.spentUsd ?? 0;
    }
    if (!this.options.ledger) return 0;
    const period: UsagePeriod = key.startsWith('day:') ? 'day' : 'month';
    return (await this.options.ledger.totals(request.tenantId, period, new Date(this.options.now()))).costUsd;
  }

  private hold(request: GatewayChatRequest, limits: readonly BudgetLimit[], reservedUsd: number): BudgetHold {
    let settled = false;
    const keys = limits.map((limit) => limit.key);
    return {
      reservedUsd,
      settle: async (actualUsd: number) => {
        if (settled) return;
        settled = true;
        try {
          await this.options.reservations.settle({
            scope: request.tenantId,
            id: request.requestId,
            keys,
            actualUsd,
          });
        } catch (error) {
          // The hold expires on its own; the ledger already has the spend and reseeds a lost counter.
          this.options.onError?.(error, 'budget');
        }
      },
    };
  }

  private exceeded(
    request: GatewayChatRequest,
    outcome: ReservationOutcome & { status: 'exceeded' | 'unseeded' },
  ): BudgetExceededError {
    if (outcome.status === 'unseeded') {
      return new BudgetExceededError({
        message: `the budget counters ${outcome.keys.join(', ')} could not be seeded`,
        tenantId: request.tenantId,
        period: 'budget',
        limitUsd: 0,
        spentUsd: 0,
      });
    }
    const period = outcome.key.startsWith('day:')
      ? 'day'
      : outcome.key.startsWith('month:')
        ? 'month'
        : 'budget';
    const name =
      period === 'day'
        ? 'daily'
        : period === 'month'
          ? 'monthly'
          : `"${outcome.key.slice('budget:'.length)}"`;
    return new BudgetExceededError({
      message: `tenant ${request.tenantId} has ${outcome.committedUsd.toFixed(4)} USD spent and ${outcome.heldUsd.toFixed(4)} USD in flight of its ${name} ${outcome.limitUsd} USD budget: this call could cost more than is left`,
      tenantId: request.tenantId,
      period,
      limitUsd: outcome.limitUsd,
      spentUsd: outcome.committedUsd,
      details: { budget: outcome.key, heldUsd: outcome.heldUsd },
    });
  }

  private async guarded<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (LlmGatewayError.isInstance(error)) throw error;
      throw new BudgetStoreUnavailableError({
        message: `the budget reservation store failed: ${error instanceof Error ? error.message : String(error)}`,
        cause: error,
      });
    }
  }
}
