import { LlmGatewayError, type LlmGatewayErrorOptions } from './llm-gateway.error';

/** The prompt does not fit the model's context window even after trimming. Not retryable as is. */
export class ContextWindowExceededError extends LlmGatewayError {
  readonly code = 'CONTEXT_WINDOW_EXCEEDED';
  readonly category = 'USER' as const;
  readonly promptTokens: number | undefined;
  readonly limitTokens: number | undefined;
  constructor(
    options: LlmGatewayErrorOptions & { readonly promptTokens?: number; readonly limitTokens?: number },
  ) {
    super({
      ...options,
      isRetryable: false,
      details: { promptTokens: options.promptTokens, limitTokens: options.limitTokens, ...options.details },
    });
    this.promptTokens = options.promptTokens;
    this.limitTokens = options.limitTokens;
  }
}
