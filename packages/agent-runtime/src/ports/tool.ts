import type { z } from 'zod';
import type { JsonValue } from './json';

/** What a tool receives besides its validated arguments. */
export interface ToolContext {
  /** Aborted on the tool's timeout, the run's deadline, or shutdown: stop work promptly. */
  readonly signal: AbortSignal;
  /**
   * `${runId}:${step}:${callIndex}`: the same for every attempt and for a re-execution after a crash.
   * A tool with an outside side effect should pass it on (an `Idempotency-Key` header, a unique
   * constraint) so that the one window the runtime cannot close (the process dies after the effect
   * and before the result is recorded) does not double the effect either.
   */
  readonly idempotencyKey: string;
  readonly runId: string;
  readonly tenantId: string;
  /** 1 for the first attempt, 2 for the first retry, … */
  readonly attempt: number;
}

/** Retries for errors the tool marks as retryable. */
export interface RetryPolicy {
  /** Attempts in total, the first included. Default 1 (no retry). */
  readonly maxAttempts: number;
  /** Delay before the first retry, doubled each time. Default 100 ms. */
  readonly backoffMs?: number;
  /**
   * Decides whether an error is worth another attempt. Default: `error.isRetryable === true`
   * (every `AiScaleError` has it), so a plain `Error` is not retried.
   */
  readonly isRetryable?: (error: unknown) => boolean;
}

/**
 * A capability the model may call. The runtime guarantees:
 * - `execute` is only ever called with arguments that passed `input` (a zod schema); invalid
 *   arguments go back to the model as a tool error once, and fail the step the second time;
 * - a call is bounded by `timeoutMs` (its `signal` aborts; a tool that ignores the signal is
 *   abandoned, and the call fails with `ToolExecutionError`) and retried by `retry`;
 * - a call that completed (successfully or with a final error) is recorded under its idempotency
 *   key before its result is used, and is never executed again for the same run, step and index,
 *   even after a crash and a resume on another worker;
 * - the result must be JSON: it is stored in the checkpoint store. With `output`, it is validated
 *   and a mismatch is a `ToolExecutionError`.
 */
export interface Tool<TInput = unknown, TOutput extends JsonValue | AwaitInput = JsonValue> {
  /** `^[a-zA-Z0-9_-]{1,64}$`: what the model calls. */
  readonly name: string;
  /** Recorded on every run that offers the tool, so results can be explained and compared. */
  readonly version: string;
  readonly description: string;
  readonly input: z.ZodType<TInput>;
  readonly output?: z.ZodType<TOutput>;
  /** Per attempt. Default 30 s. */
  readonly timeoutMs?: number;
  readonly retry?: RetryPolicy;
  /**
   * `parallel` (default): may run at the same time as the other calls of the same model turn.
   * `exclusive`: runs alone, in the order the model asked, for tools whose effects depend on each other.
   */
  readonly concurrency?: 'parallel' | 'exclusive';
  execute(args: TInput, context: ToolContext): Promise<TOutput>;
}

/** A tool of any input and output, as the runtime holds them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyTool = Tool<any, any>;

/**
 * Returned by a tool (or a workflow `human` node) to pause the run until someone answers:
 * the run becomes `paused` with `awaiting.prompt`, and `AgentRuntime.resume(runId, input)` makes
 * `input` the tool's result and continues from the checkpoint.
 */
export interface AwaitInput {
  readonly $agentRuntime: 'await-input';
  readonly prompt: string;
  readonly data?: JsonValue;
}

export function awaitInput(prompt: string, data?: JsonValue): AwaitInput {
  return data === undefined
    ? { $agentRuntime: 'await-input', prompt }
    : { $agentRuntime: 'await-input', prompt, data };
}

export function isAwaitInput(value: unknown): value is AwaitInput {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { $agentRuntime?: unknown }).$agentRuntime === 'await-input' &&
    typeof (value as { prompt?: unknown }).prompt === 'string'
  );
}
