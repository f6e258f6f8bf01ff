import { AgentRuntimeError, type AgentRuntimeErrorOptions } from './agent-runtime.error';

/** No run with this id exists in the checkpoint store. */
export class RunNotFoundError extends AgentRuntimeError {
  readonly code = 'RUN_NOT_FOUND';
  readonly category = 'USER' as const;
  constructor(options: AgentRuntimeErrorOptions) {
    super({ isRetryable: false, ...options });
  }
}
