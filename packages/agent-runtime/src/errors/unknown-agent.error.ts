import { AgentRuntimeError, type AgentRuntimeErrorOptions } from './agent-runtime.error';

/** No agent or workflow with this name is registered with the runtime. */
export class UnknownAgentError extends AgentRuntimeError {
  readonly code = 'UNKNOWN_AGENT';
  readonly category = 'USER' as const;
  constructor(options: AgentRuntimeErrorOptions) {
    super({ isRetryable: false, ...options });
  }
}
