import { LlmGatewayError, type LlmGatewayErrorOptions } from './llm-gateway.error';

/** The provider answered 5xx, refused the connection or broke it: retryable, and a reason to fall back. */
export class ProviderUnavailableError extends LlmGatewayError {
  readonly code = 'PROVIDER_UNAVAILABLE';
  readonly category = 'THIRD_PARTY' as const;
  constructor(options: LlmGatewayErrorOptions) {
    super(options);
  }
}
