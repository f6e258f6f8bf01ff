import { AiScaleError, type AiScaleErrorOptions, type ErrorCategory } from '@ai-scale/errors';

const MARKER = Symbol.for('ai-scale.llm-gateway.error');

export interface LlmGatewayErrorOptions extends AiScaleErrorOptions {
  /** The provider the error came from, when there was one. */
  readonly provider?: string;
}

/** The base of every error of `@ai-scale/llm-gateway`. */
export abstract class LlmGatewayError extends AiScaleError {
  readonly [MARKER] = true;
  abstract override readonly code: string;
  abstract override readonly category: ErrorCategory;
  readonly provider: string | undefined;

  protected constructor(options: LlmGatewayErrorOptions) {
    super({
      ...options,
      details:
        options.provider === undefined ? options.details : { provider: options.provider, ...options.details },
    });
    this.provider = options.provider;
  }

  static override isInstance(value: unknown): value is LlmGatewayError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[MARKER] === true;
  }
}
