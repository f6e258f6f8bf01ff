import { AgentRuntimeError, type AgentRuntimeErrorOptions } from './agent-runtime.error';

/** Another worker already saved this step of the run: this worker lost the race and must stop. */
export class CheckpointConflictError extends AgentRuntimeError {
  readonly code = 'CHECKPOINT_CONFLICT';
  readonly category = 'SYSTEM' as const;
  constructor(options: AgentRuntimeErrorOptions) {
    super({ isRetryable: false, ...options });
  }
}
