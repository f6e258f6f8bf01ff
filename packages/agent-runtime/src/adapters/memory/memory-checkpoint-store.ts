import { CheckpointConflictError, RunCancelledError, RunNotFoundError } from '../../errors';
import type {
  CheckpointStore,
  RunRecord,
  StepCheckpoint,
  ToolCallRecord,
} from '../../ports/checkpoint-store';

/**
 * The embedded `CheckpointStore`: everything in this process's memory (lost on exit), each record
 * copied in and out so callers never share objects with the store. For tests, demos and the
 * single-process embedded server; use the typeorm store for runs that must survive a restart.
 */
export class MemoryCheckpointStore implements CheckpointStore {
  private readonly runs = new Map<string, RunRecord>();
  private readonly steps = new Map<string, StepCheckpoint[]>();
  private readonly toolCalls = new Map<string, ToolCallRecord>();

  async createRun(run: RunRecord): Promise<void> {
    if (this.runs.has(run.runId)) {
      throw new CheckpointConflictError({ runId: run.runId, message: `run ${run.runId} already exists` });
    }
    this.runs.set(run.runId, structuredClone(run));
  }

  async getRun(runId: string): Promise<RunRecord | null> {
    const run = this.runs.get(runId);
    return run ? structuredClone(run) : null;
  }

  async updateRun(run: RunRecord): Promise<void> {
    this.assertWritable(run);
    this.runs.set(run.runId, structuredClone(run));
  }

  async saveStep(checkpoint: StepCheckpoint, run: RunRecord): Promise<void> {
    this.assertWritable(run);
    const steps = this.steps.get(checkpoint.runId) ?? [];
    const latest = steps.at(-1)?.step ?? 0;
    if (checkpoint.step !== latest + 1) {
      throw new CheckpointConflictError({
        runId: checkpoint.runId,
        message: `cannot save step ${checkpoint.step} of run ${checkpoint.runId}: the latest is ${latest}`,
        details: { step: checkpoint.step, latest },
      });
    }
    // Both writes happen in one synchronous block: no other call can observe one without the other.
    this.steps.set(checkpoint.runId, [...steps, structuredClone(checkpoint)]);
    this.runs.set(run.runId, structuredClone(run));
  }

  async loadLatestStep(runId: string): Promise<StepCheckpoint | null> {
    const latest = this.steps.get(runId)?.at(-1);
    return latest ? structuredClone(latest) : null;
  }

  async listSteps(runId: string): Promise<StepCheckpoint[]> {
    return structuredClone(this.steps.get(runId) ?? []);
  }

  async recordToolCall(record: ToolCallRecord): Promise<ToolCallRecord> {
    const existing = this.toolCalls.get(record.idempotencyKey);
    if (existing) return structuredClone(existing);
    this.toolCalls.set(record.idempotencyKey, structuredClone(record));
    return structuredClone(record);
  }

  async findToolCall(idempotencyKey: string): Promise<ToolCallRecord | null> {
    const record = this.toolCalls.get(idempotencyKey);
    return record ? structuredClone(record) : null;
  }

  private assertWritable(run: RunRecord): void {
    const stored = this.runs.get(run.runId);
    if (!stored) throw new RunNotFoundError({ runId: run.runId, message: `no run ${run.runId}` });
    if (stored.status === 'cancelled' && run.status !== 'cancelled')
      throw new RunCancelledError({ runId: run.runId, message: `run ${run.runId} was cancelled` });
  }
}
