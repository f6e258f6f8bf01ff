import { AgentRuntimeError, type AgentRuntimeErrorOptions } from './agent-runtime.error';

/** `cancel` of a run that already succeeded or failed: there is nothing left to stop. */
export class RunAlreadyFinishedError extends AgentRuntimeError {
  readonly code = 'RUN_ALREADY_FINISHED';
  readonly category = 'USER' as const;
  constructor(options: AgentRuntimeErrorOptions) {
    super({ isRetryable: false, ...options });
  }
}
