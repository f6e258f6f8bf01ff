import { LlmGatewayError, type LlmGatewayErrorOptions } from './llm-gateway.error';

/**
 * The tenant is over its LLM tokens-per-minute limit (this call's prompt plus output reserve does
 * not fit the bucket): retry after `retryAfterMs` (`details.retryAfterSeconds`, for a Retry-After).
 */
export class TenantRateLimitedError extends LlmGatewayError {
  readonly code = 'TENANT_TOKEN_RATE_LIMITED';
  readonly category = 'USER' as const;
  readonly tenantId: string;
  readonly retryAfterMs: number;
  constructor(
    options: LlmGatewayErrorOptions & {
      readonly tenantId: string;
      readonly retryAfterMs: number;
      readonly limit: number;
    },
  ) {
    super({
      ...options,
      isRetryable: true,
      details: {
        tenantId: options.tenantId,
        tokensPerMinute: options.limit,
        retryAfterMs: options.retryAfterMs,
        retryAfterSeconds: Math.max(1, Math.ceil(options.retryAfterMs / 1000)),
        ...options.details,
      },
    });
    this.tenantId = options.tenantId;
    this.retryAfterMs = options.retryAfterMs;
  }
}
