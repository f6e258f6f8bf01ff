import { AgentRuntimeError, type AgentRuntimeErrorOptions } from './agent-runtime.error';

/** An agent, tool or workflow definition is malformed (duplicate names, missing nodes, bad limits). */
export class InvalidAgentDefinitionError extends AgentRuntimeError {
  readonly code = 'INVALID_AGENT_DEFINITION';
  readonly category = 'USER' as const;
  constructor(options: AgentRuntimeErrorOptions) {
    super({ isRetryable: false, ...options });
  }
}
