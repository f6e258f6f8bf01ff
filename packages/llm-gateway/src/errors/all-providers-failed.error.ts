import { LlmGatewayError, type LlmGatewayErrorOptions } from './llm-gateway.error';

/** Every model of the route failed; `details.attempts` lists each attempt and `cause` is the last error. */
export class AllProvidersFailedError extends LlmGatewayError {
  readonly code = 'ALL_PROVIDERS_FAILED';
  readonly category = 'THIRD_PARTY' as const;
  constructor(options: LlmGatewayErrorOptions) {
    super(options);
  }
}
