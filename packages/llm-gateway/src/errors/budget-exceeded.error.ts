import { LlmGatewayError, type LlmGatewayErrorOptions } from './llm-gateway.error';

export type BudgetPeriod = 'day' | 'month' | 'request' | 'budget';

/**
 * The call's worst-case cost does not fit a budget (committed spend + calls in flight + this call)
 * and no cheaper tier was allowed (not retryable until the period rolls over or calls in flight
 * settle): the tenant's daily or monthly budget, a caller-supplied one (`period: 'budget'`, e.g. an
 * agent run or an API key; `details.budget` names it), or the request's own `maxCostUsd`
 * (`period: 'request'`).
 */
export class BudgetExceededError extends LlmGatewayError {
  readonly code = 'BUDGET_EXCEEDED';
  readonly category = 'USER' as const;
  readonly tenantId: string;
  readonly period: BudgetPeriod;
  readonly limitUsd: number;
  readonly spentUsd: number;
  constructor(
    options: LlmGatewayErrorOptions & {
      readonly tenantId: string;
      readonly period: BudgetPeriod;
      readonly limitUsd: number;
      readonly spentUsd: number;
    },
  ) {
    super({
      ...options,
      isRetryable: false,
      details: {
        tenantId: options.tenantId,
        period: options.period,
        limitUsd: options.limitUsd,
        spentUsd: options.spentUsd,
        ...options.details,
      },
    });
    this.tenantId = options.tenantId;
    this.period = options.period;
    this.limitUsd = options.limitUsd;
    this.spentUsd = options.spentUsd;
  }
}
