import { LlmGatewayError, type LlmGatewayErrorOptions } from './llm-gateway.error';

/** The request is malformed (empty messages, unknown model, bad tool schema) or the provider rejected it as such. Never retried. */
export class InvalidLlmRequestError extends LlmGatewayError {
  readonly code = 'INVALID_LLM_REQUEST';
  readonly category = 'USER' as const;
  constructor(options: LlmGatewayErrorOptions) {
    super({ ...options, isRetryable: false });
  }
}
