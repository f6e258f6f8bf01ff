import { AgentRuntimeError, type AgentRuntimeErrorOptions } from './agent-runtime.error';

/** A step failed for an unexpected reason on the run's last job attempt (`cause`): the run is failed, not left running. */
export class StepFailedError extends AgentRuntimeError {
  readonly code = 'AGENT_STEP_FAILED';
  readonly category = 'SYSTEM' as const;
  constructor(options: AgentRuntimeErrorOptions) {
    super({ isRetryable: false, ...options });
  }
}
