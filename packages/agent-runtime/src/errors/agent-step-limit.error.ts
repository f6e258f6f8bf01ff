import { AgentRuntimeError, type AgentRuntimeErrorOptions } from './agent-runtime.error';

/** The run reached its maximum number of steps or tool calls without a final answer. */
export class AgentStepLimitError extends AgentRuntimeError {
  readonly code = 'AGENT_STEP_LIMIT';
  readonly category = 'USER' as const;
  constructor(options: AgentRuntimeErrorOptions) {
    super({ isRetryable: false, ...options });
  }
}
