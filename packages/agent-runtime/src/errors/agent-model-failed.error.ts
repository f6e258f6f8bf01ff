import { AgentRuntimeError, type AgentRuntimeErrorOptions } from './agent-runtime.error';

/** The primary model and the fallback model both failed for a step; `cause` is the last error. */
export class AgentModelFailedError extends AgentRuntimeError {
  readonly code = 'AGENT_MODEL_FAILED';
  readonly category = 'THIRD_PARTY' as const;
  constructor(options: AgentRuntimeErrorOptions) {
    super({ isRetryable: false, ...options });
  }
}
