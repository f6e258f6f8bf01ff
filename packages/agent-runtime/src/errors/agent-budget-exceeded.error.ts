import { AgentRuntimeError, type AgentRuntimeErrorOptions } from './agent-runtime.error';

/** The run spent its token or cost budget (or the tenant's gateway budget): stopped, not retried. */
export class AgentBudgetExceededError extends AgentRuntimeError {
  readonly code = 'AGENT_BUDGET_EXCEEDED';
  readonly category = 'USER' as const;
  constructor(options: AgentRuntimeErrorOptions) {
    super({ isRetryable: false, ...options });
  }
}
