import { LlmGatewayError, type LlmGatewayErrorOptions } from './llm-gateway.error';

/** The attempt ran past its timeout or was aborted: retryable. */
export class ProviderTimeoutError extends LlmGatewayError {
  readonly code = 'PROVIDER_TIMEOUT';
  readonly category = 'THIRD_PARTY' as const;
  constructor(options: LlmGatewayErrorOptions) {
    super(options);
  }
}
