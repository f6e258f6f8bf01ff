import { SpanKind, trace } from '@opentelemetry/api';
import { ATTR, SPAN, withSpan } from '@ai-scale/telemetry';
import { ToolExecutionError } from '../errors';
import { AbortedError, childSignal, delay, raceAbort } from '../internal/abort';
import type { AnyTool, RetryPolicy } from '../ports/tool';

export const DEFAULT_TOOL_TIMEOUT_MS = 30_000;

class ToolTimeoutError extends Error {
  readonly isRetryable = true;
  constructor(toolName: string, timeoutMs: number) {
    super(`tool "${toolName}" timed out after ${timeoutMs} ms`);
    this.name = 'ToolTimeoutError';
  }
}

const defaultIsRetryable = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && (error as { isRetryable?: unknown }).isRetryable === true;

export interface RunToolOptions {
  readonly runId: string;
  readonly tenantId: string;
  readonly idempotencyKey: string;
  /** The run's signal (deadline, shutdown): aborting it stops retries at once. */
  readonly signal: AbortSignal;
}

/**
 * Runs one tool call with its timeout and retry policy. Resolves with the tool's (validated)
 * output, or rejects with `ToolExecutionError` (cause: the last error), or with `AbortedError`
 * when the run's own signal aborted (the caller decides what that means: deadline, shutdown).
 */
export function runTool(tool: AnyTool, args: unknown, options: RunToolOptions): Promise<unknown> {
  // GenAI agent conventions: one `execute_tool {tool}` span per call, its retries inside it.
  return withSpan(
    trace.getTracer('@ai-scale/agent-runtime'),
    SPAN.executeTool(tool.name),
    {
      kind: SpanKind.INTERNAL,
      attributes: {
        [ATTR.genAiOperationName]: 'execute_tool',
        [ATTR.toolName]: tool.name,
        [ATTR.toolCallId]: options.idempotencyKey,
        [ATTR.tenantId]: options.tenantId,
      },
    },
    () => runToolAttempts(tool, args, options),
  );
}

async function runToolAttempts(tool: AnyTool, args: unknown, options: RunToolOptions): Promise<unknown> {
  const policy: RetryPolicy = tool.retry ?? { maxAttempts: 1 };
  const isRetryable = policy.isRetryable ?? defaultIsRetryable;
  const timeoutMs = tool.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS;
  let backoffMs = policy.backoffMs ?? 100;
  for (let attempt = 1; ; attempt += 1) {
    const attemptSignal = childSignal(
      options.signal,
      timeoutMs,
      () => new ToolTimeoutError(tool.name, timeoutMs),
    );
    try {
      const output: unknown = await raceAbort(
        Promise.resolve().then(() =>
          tool.execute(args, {
            signal: attemptSignal.signal,
            idempotencyKey: options.idempotencyKey,
            runId: options.runId,
            tenantId: options.tenantId,
            attempt,
          }),
        ),
        attemptSignal.signal,
      );
      if (tool.output !== undefined) {
        const checked = tool.output.safeParse(output);
        if (!checked.success) {
          throw new ToolExecutionError({
            runId: options.runId,
            message: `tool "${tool.name}" returned output that fails its schema`,
            cause: checked.error,
            details: { tool: tool.name },
          });
        }
        return checked.data;
      }
      return output;
    } catch (caught) {
      if (options.signal.aborted) throw new AbortedError(options.signal.reason);
      const error = caught instanceof AbortedError ? caught.reason : caught;
      if (ToolExecutionError.isInstance(error) && error.code === 'TOOL_EXECUTION_FAILED') throw error;
      if (attempt >= policy.maxAttempts || !isRetryable(error)) {
        throw new ToolExecutionError({
          runId: options.runId,
          message: `tool "${tool.name}" failed after ${attempt} attempt(s): ${(error as Error)?.message ?? String(error)}`,
          cause: error,
          details: { tool: tool.name, attempts: attempt },
        });
      }
    } finally {
      attemptSignal.dispose();
    }
    await delay(backoffMs, options.signal).catch(() => {
      throw new AbortedError(options.signal.reason);
    });
    backoffMs *= 2;
  }
}
