import { LlmGatewayError, type LlmGatewayErrorOptions } from './llm-gateway.error';

/**
 * The tenant spent its daily or monthly budget and no cheaper tier was allowed (not retryable until
 * the period rolls over), or no model of the route fits the request's own `maxCostUsd` (`period: 'request'`).
 */
export class BudgetExceededError extends LlmGatewayError {
  readonly code = 'BUDGET_EXCEEDED';
  readonly category = 'USER' as const;
  readonly tenantId: string;
  readonly period: 'day' | 'month' | 'request';
  readonly limitUsd: number;
  readonly spentUsd: number;
  constructor(
    options: LlmGatewayErrorOptions & {
      readonly tenantId: string;
      readonly period: 'day' | 'month' | 'request';
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
