import { AgentRuntimeError, type AgentRuntimeErrorOptions } from './agent-runtime.error';

/** A tool failed (after its retries) or timed out; `cause` is the last error. */
export class ToolExecutionError extends AgentRuntimeError {
  readonly code = 'TOOL_EXECUTION_FAILED';
  readonly category = 'THIRD_PARTY' as const;
  constructor(options: AgentRuntimeErrorOptions) {
    super({ isRetryable: false, ...options });
  }
}
