import type { TraceCarrier } from '@ai-scale/telemetry';
import type { ResolvedEnqueueOptions } from '../../internal/options';
import type { JobErrorInfo, JobProgress, JobState } from '../../ports';

// What a MemoryJobWorker needs from its queue, apart from the queue class itself (which imports the
// worker): the worker depends on this file only, so the two modules form no import cycle.

/** A job as the memory adapter stores it. Mutable: owned by the queue. */
export interface StoredJob {
  readonly id: string;
  readonly name: string;
  readonly tenantId: string | undefined;
  readonly idempotencyKey: string | undefined;
  readonly payload: unknown;
  readonly priority: number;
  readonly ordering: number;
  readonly options: ResolvedEnqueueOptions;
  readonly traceCarrier: TraceCarrier;
  readonly createdAt: number;
  seq: number;
  state: JobState;
  /** `cancel` was asked while the job was active: it ends `cancelled`, wherever its attempt stands. */
  cancelRequested: boolean;
  progress: JobProgress;
  result: unknown;
  error: JobErrorInfo | undefined;
  attemptsMade: number;
  attemptsStarted: number;
  stalledCount: number;
  readyAt: number;
  startedAt: number | undefined;
  finishedAt: number | undefined;
  lock: { token: string; until: number } | undefined;
}

export type TakeResult =
  | { readonly kind: 'job'; readonly job: StoredJob }
  | { readonly kind: 'rate-limited'; readonly retryAt: number }
  | { readonly kind: 'empty' };

/** The queue as its workers see it: leases, their outcomes, and stalled-job recovery. */
export interface MemoryJobStore {
  take(token: string, lockDurationMs: number): TakeResult;
  extendLocks(token: string, ids: Iterable<string>, lockDurationMs: number): void;
  updateProgress(job: StoredJob, token: string, progress: JobProgress): void;
  complete(job: StoredJob, token: string, result: unknown): void;
  fail(job: StoredJob, token: string, error: JobErrorInfo, willRetry: boolean): void;
  /** The attempt ended because the job was cancelled. */
  cancelled(job: StoredJob, token: string): void;
  handBack(job: StoredJob, token: string): void;
  recoverStalled(maxStalledCount: number): void;
  forgetWorker(worker: unknown): void;
}
