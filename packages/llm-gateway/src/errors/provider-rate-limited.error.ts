import { LlmGatewayError, type LlmGatewayErrorOptions } from './llm-gateway.error';

/** The provider said 429 (or an RPM/TPM limit of the gateway refused the call). Retryable after `retryAfterMs`. */
export class ProviderRateLimitedError extends LlmGatewayError {
  readonly code = 'PROVIDER_RATE_LIMITED';
  readonly category = 'THIRD_PARTY' as const;
  /** How long the provider asked us to wait (from Retry-After / retry-after-ms), when it said. */
  readonly retryAfterMs: number | undefined;
  constructor(options: LlmGatewayErrorOptions & { readonly retryAfterMs?: number }) {
    super({ ...options, details: { retryAfterMs: options.retryAfterMs, ...options.details } });
    this.retryAfterMs = options.retryAfterMs;
  }
}
