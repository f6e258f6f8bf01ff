import { AgentRuntimeError, type AgentRuntimeErrorOptions } from './agent-runtime.error';

/** The model sent tool arguments that fail the tool's schema, again after being told once. */
export class InvalidToolArgumentsError extends AgentRuntimeError {
  readonly code = 'INVALID_TOOL_ARGUMENTS';
  readonly category = 'USER' as const;
  constructor(options: AgentRuntimeErrorOptions) {
    super({ isRetryable: false, ...options });
  }
}
