import { AgentRuntimeError, type AgentRuntimeErrorOptions } from './agent-runtime.error';

/** The run repeated the same tool call with the same arguments too often, or stopped learning anything new: stopped, not retried. */
export class AgentLoopDetectedError extends AgentRuntimeError {
  readonly code = 'AGENT_LOOP_DETECTED';
  readonly category = 'SYSTEM' as const;
  constructor(options: AgentRuntimeErrorOptions) {
    super({ isRetryable: false, ...options });
  }
}
