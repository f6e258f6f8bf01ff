import { AiScaleError, type AiScaleErrorOptions, type ErrorCategory } from '@ai-scale/errors';

const MARKER = Symbol.for('ai-scale.agent-runtime.error');

export interface AgentRuntimeErrorOptions extends AiScaleErrorOptions {
  /** The run the error is about, when there is one. */
  readonly runId?: string;
}

/** The base of every error of `@ai-scale/agent-runtime`. */
export abstract class AgentRuntimeError extends AiScaleError {
  readonly [MARKER] = true;
  abstract override readonly code: string;
  abstract override readonly category: ErrorCategory;
  readonly runId: string | undefined;

  protected constructor(options: AgentRuntimeErrorOptions) {
    super({
      ...options,
      details: options.runId === undefined ? options.details : { runId: options.runId, ...options.details },
    });
    this.runId = options.runId;
  }

  static override isInstance(value: unknown): value is AgentRuntimeError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[MARKER] === true;
  }
}
