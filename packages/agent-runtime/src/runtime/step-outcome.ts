import type { AgentRuntimeError } from '../errors';
import type { JsonObject, JsonValue } from '../ports/json';
import type { RunUsage, StopReason } from '../ports/checkpoint-store';

export type StepEnd =
  | { readonly status: 'succeeded'; readonly stopReason: StopReason; readonly output: JsonValue }
  | { readonly status: 'paused'; readonly awaiting: { readonly prompt: string; readonly data?: JsonValue } }
  | { readonly status: 'failed'; readonly stopReason: StopReason; readonly error: AgentRuntimeError };

/** What one step did: the state to checkpoint, its effect on the run's counters, and maybe the end. */
export interface StepOutcome {
  readonly state: JsonValue;
  readonly summary: JsonObject;
  readonly usage: RunUsage;
  readonly toolCalls: number;
  readonly modelUsed?: string;
  /** The step used the input given to `resume` (cleared from the run with the checkpoint). */
  readonly consumedResumeInput: boolean;
  readonly end?: StepEnd;
}

export const NO_USAGE: RunUsage = Object.freeze({
  modelCalls: 0,
  inputTokens: 0,
  outputTokens: 0,
  costUsd: 0,
});

export function addUsage(left: RunUsage, right: RunUsage): RunUsage {
  return {
    modelCalls: left.modelCalls + right.modelCalls,
    inputTokens: left.inputTokens + right.inputTokens,
    outputTokens: left.outputTokens + right.outputTokens,
    costUsd: left.costUsd + right.costUsd,
  };
}

/** Aborts a run's signal when its deadline passes, so the runtime can tell it from a shutdown. */
export class DeadlineReached extends Error {
  constructor() {
    super('the run passed its deadline');
    this.name = 'DeadlineReached';
  }
}
