import { AgentRuntimeError, type AgentRuntimeErrorOptions } from './agent-runtime.error';

/** `startRun` was given an input that fails the agent's or workflow's input schema: nothing was stored. */
export class InvalidRunInputError extends AgentRuntimeError {
  readonly code = 'INVALID_RUN_INPUT';
  readonly category = 'USER' as const;
  constructor(options: AgentRuntimeErrorOptions) {
    super({ isRetryable: false, ...options });
  }
}
