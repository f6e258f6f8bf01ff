import { LlmGatewayError, type LlmGatewayErrorOptions } from './llm-gateway.error';

/**
 * The model's answer to a `json` / `json_schema` response format did not parse or did not match the
 * schema, also after the one repair attempt. Both calls were billed. Not retryable as is.
 */
export class StructuredOutputInvalidError extends LlmGatewayError {
  readonly code = 'STRUCTURED_OUTPUT_INVALID';
  readonly category = 'THIRD_PARTY' as const;
  readonly problem: string;
  constructor(options: LlmGatewayErrorOptions & { readonly problem: string }) {
    super({ ...options, isRetryable: false, details: { problem: options.problem, ...options.details } });
    this.problem = options.problem;
  }
}
