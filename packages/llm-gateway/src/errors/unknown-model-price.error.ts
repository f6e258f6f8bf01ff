import { LlmGatewayError, type LlmGatewayErrorOptions } from './llm-gateway.error';

/**
 * A configured model has no price in the price table and the unknown-model policy is `refuse`
 * (the default): raised at start-up, so a new model is never silently billed at 0.
 */
export class UnknownModelPriceError extends LlmGatewayError {
  readonly code = 'UNKNOWN_MODEL_PRICE';
  readonly category = 'USER' as const;
  readonly models: readonly string[];
  constructor(options: LlmGatewayErrorOptions & { readonly models: readonly string[] }) {
    super({ ...options, isRetryable: false, details: { models: options.models, ...options.details } });
    this.models = options.models;
  }
}
