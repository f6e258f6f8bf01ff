import { AgentRuntimeError, type AgentRuntimeErrorOptions } from './agent-runtime.error';

/** The run was cancelled: it runs no further step, and no write may bring it back. */
export class RunCancelledError extends AgentRuntimeError {
  readonly code = 'RUN_CANCELLED';
  readonly category = 'USER' as const;
  constructor(options: AgentRuntimeErrorOptions) {
    super({ isRetryable: false, ...options });
  }
}
