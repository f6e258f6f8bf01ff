import { AgentRuntimeError, type AgentRuntimeErrorOptions } from './agent-runtime.error';

/** The run is not paused awaiting input (or already finished), so it cannot be resumed. */
export class RunNotResumableError extends AgentRuntimeError {
  readonly code = 'RUN_NOT_RESUMABLE';
  readonly category = 'USER' as const;
  constructor(options: AgentRuntimeErrorOptions) {
    super({ isRetryable: false, ...options });
  }
}
