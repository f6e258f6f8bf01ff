import { AgentRuntimeError, type AgentRuntimeErrorOptions } from './agent-runtime.error';

/** The run passed its wall-clock deadline: stopped, not retried (the deadline does not move). */
export class AgentDeadlineExceededError extends AgentRuntimeError {
  readonly code = 'AGENT_DEADLINE_EXCEEDED';
  readonly category = 'SYSTEM' as const;
  constructor(options: AgentRuntimeErrorOptions) {
    super({ isRetryable: false, ...options });
  }
}
