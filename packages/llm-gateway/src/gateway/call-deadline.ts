import { LlmGatewayError } from '../errors/llm-gateway.error';
import { ProviderTimeoutError } from '../errors/provider-timeout.error';

/**
 * The overall deadline of one gateway call, plus the caller's abort signal. Deliberately not an
 * AbortController: on the hot path a call costs one timer and one controller per attempt, and the
 * deadline is enforced by bounding every attempt's timer and every back-off by `remaining()`.
 */
export class CallDeadline {
  private readonly at: number;

  constructor(
    readonly ms: number,
    readonly callerSignal: AbortSignal | undefined,
  ) {
    this.at = performance.now() + ms;
  }

  remaining(): number {
    return Math.max(0, this.at - performance.now());
  }

  expired(): boolean {
    return this.callerSignal?.aborted === true || performance.now() >= this.at;
  }

  /** The error a call ends with when the caller aborted or the deadline passed. */
  error(): LlmGatewayError {
    if (this.callerSignal?.aborted) {
      const reason: unknown = this.callerSignal.reason;
      if (LlmGatewayError.isInstance(reason)) return reason;
      return new ProviderTimeoutError({ message: 'the caller aborted the call', cause: reason });
    }
    return new ProviderTimeoutError({
      message: `the call missed its ${this.ms} ms deadline`,
      details: { deadlineMs: this.ms },
    });
  }
}
