import { LlmGatewayError, type LlmGatewayErrorOptions } from './llm-gateway.error';

/**
 * The budget reservation store (Redis) did not answer: the call is refused before any token is
 * bought rather than admitted unchecked (budgets fail closed). Retryable.
 */
export class BudgetStoreUnavailableError extends LlmGatewayError {
  readonly code = 'BUDGET_STORE_UNAVAILABLE';
  readonly category = 'SYSTEM' as const;
  constructor(options: LlmGatewayErrorOptions) {
    super({ ...options, isRetryable: true });
  }
}
