import { LlmGatewayError, type LlmGatewayErrorOptions } from './llm-gateway.error';

/** The provider's circuit breaker is open: the call was not sent. Retryable later; the gateway falls back at once. */
export class CircuitOpenError extends LlmGatewayError {
  readonly code = 'CIRCUIT_OPEN';
  readonly category = 'THIRD_PARTY' as const;
  constructor(options: LlmGatewayErrorOptions) {
    super(options);
  }
}
