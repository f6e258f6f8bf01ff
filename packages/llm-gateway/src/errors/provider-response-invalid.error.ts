import { LlmGatewayError, type LlmGatewayErrorOptions } from './llm-gateway.error';

/** The provider's reply broke its wire format (malformed JSON, missing fields): retryable once, then fall back. */
export class ProviderResponseInvalidError extends LlmGatewayError {
  readonly code = 'PROVIDER_RESPONSE_INVALID';
  readonly category = 'THIRD_PARTY' as const;
  constructor(options: LlmGatewayErrorOptions) {
    super(options);
  }
}
