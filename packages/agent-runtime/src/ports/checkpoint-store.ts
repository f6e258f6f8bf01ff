import type { JsonValue } from './json';

export type RunKind = 'agent' | 'workflow';

/**
 * `queued` (waiting for a worker) → `running` → `succeeded` | `failed`, or → `paused` (awaiting
 * outside input) → `queued` again on resume. `succeeded`, `failed` and `cancelled` (stopped by
 * `AgentRuntime.cancel`) are final; a `cancelled` run never runs another step.
 */
export type RunStatus = 'queued' | 'running' | 'paused' | 'succeeded' | 'failed' | 'cancelled';

/** Why a run stopped (or paused): typed, so a dashboard and a caller can tell the cases apart. */
export type StopReason =
  | 'final_answer'
  | 'workflow_completed'
  | 'awaiting_input'
  | 'loop_detected'
  | 'no_progress'
  | 'max_steps'
  | 'max_tool_calls'
  | 'deadline_exceeded'
  | 'token_budget_exceeded'
  | 'cost_budget_exceeded'
  | 'gateway_budget_exceeded'
  | 'invalid_tool_arguments'
  | 'model_failed'
  | 'step_failed'
  | 'cancelled';

export interface RunUsage {
  readonly modelCalls: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
}

/** What a run used, so that a result can be explained and compared with another run's. */
export interface RunVersions {
  /** The primary model id (`AgentModel.id`), or `null` for a workflow without one. */
  readonly model: string | null;
  readonly fallbackModel: string | null;
  /** The model that answered the last model step (the fallback, when the primary failed). */
  readonly lastModelUsed: string | null;
  readonly promptVersion: string;
  readonly temperature: number | null;
  readonly seed: number | null;
  /** Tool name → version, for every tool the run could call. */
  readonly tools: Readonly<Record<string, string>>;
}

export interface RunRecord {
  readonly runId: string;
  readonly tenantId: string;
  readonly kind: RunKind;
  /** The agent's or workflow's name. */
  readonly name: string;
  readonly status: RunStatus;
  readonly input: JsonValue;
  readonly output: JsonValue | null;
  /** Set when the run finished or paused. */
  readonly stopReason: StopReason | null;
  /** Set when the run failed: the error's stable code and message. */
  readonly error: { readonly code: string; readonly message: string } | null;
  /** Set while `paused`: what the run waits for. */
  readonly awaiting: { readonly prompt: string; readonly data?: JsonValue } | null;
  /** The input given to `resume`, not yet consumed by a step. */
  readonly resumeInput: JsonValue | null;
  readonly versions: RunVersions;
  readonly usage: RunUsage;
  /** Steps checkpointed so far. */
  readonly steps: number;
  readonly toolCalls: number;
  /** Absolute wall-clock deadline; survives crashes and resumes. */
  readonly deadlineAt: Date | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly finishedAt: Date | null;
  /** The queue job running the run now (set by the worker when it takes the run), so `cancel` can abort it. */
  readonly jobId?: string | null;
}

/** The state of a run after one completed step: enough to continue from it on any worker. */
export interface StepCheckpoint {
  readonly runId: string;
  /** 1, 2, 3, … without gaps. */
  readonly step: number;
  /** The runtime's state after the step (opaque to the store, plain JSON). */
  readonly state: JsonValue;
  /** A human-readable account of the step (model used, tool calls, duration): for `listSteps`. */
  readonly summary: JsonValue;
  readonly createdAt: Date;
}

export interface ToolCallRecord {
  /** `${runId}:${step}:${callIndex}` (or `${runId}:${step}:${nodeId}` for a workflow task). */
  readonly idempotencyKey: string;
  readonly runId: string;
  readonly step: number;
  readonly callIndex: number;
  readonly toolName: string;
  readonly toolVersion: string;
  readonly arguments: JsonValue;
  /** `ok`: `result` is the tool's output. `error`: `result` is `{ code, message }`, final (retries done). */
  readonly outcome: 'ok' | 'error';
  readonly result: JsonValue;
  readonly durationMs: number;
  readonly createdAt: Date;
}

/**
 * Durable state of agent runs and workflows. Guarantees an adapter must honour (checked by
 * `checkpointStoreContract`):
 * - `createRun` inserts a new run; a second run with the same id is a `CheckpointConflictError`.
 * - `saveStep` is atomic: the checkpoint and the run's new record are written together or not at
 *   all, and it resolves only once both are durable. Steps are consecutive: saving step `n` when the
 *   latest is not `n - 1` (two workers racing on one run) is a `CheckpointConflictError` and
 *   changes nothing. The runtime saves step `n` before step `n + 1` starts.
 * - `loadLatestStep` returns the checkpoint with the highest step (or `null`); `listSteps` all of
 *   them in step order.
 * - `recordToolCall` is first-write-wins on `idempotencyKey`: it returns the stored record, which
 *   is the earlier one when the key was already recorded (the new one is discarded). `findToolCall`
 *   returns what was recorded, or `null`.
 * - Records come back equal to what was stored (JSON values deep-equal, dates to the millisecond).
 * - A cancelled run stays cancelled: `updateRun` or `saveStep` with a record whose status is not
 *   `cancelled`, for a run stored as `cancelled`, is a `RunCancelledError` and changes nothing (a
 *   worker finishing a step after the cancel cannot bring the run back).
 */
export interface CheckpointStore {
  createRun(run: RunRecord): Promise<void>;
  getRun(runId: string): Promise<RunRecord | null>;
  /** Replaces the run's record (status changes outside a step: start, pause, resume, finish). */
  updateRun(run: RunRecord): Promise<void>;
  saveStep(checkpoint: StepCheckpoint, run: RunRecord): Promise<void>;
  loadLatestStep(runId: string): Promise<StepCheckpoint | null>;
  listSteps(runId: string): Promise<StepCheckpoint[]>;
  recordToolCall(record: ToolCallRecord): Promise<ToolCallRecord>;
  findToolCall(idempotencyKey: string): Promise<ToolCallRecord | null>;
  /** Releases connections the store owns (none for stores given a shared connection). */
  close?(): Promise<void>;
}
