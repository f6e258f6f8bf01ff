import type { JobProgress } from './job';

/** What a handler receives for one attempt of one job. */
export interface JobContext<P = unknown> {
  readonly id: string;
  readonly name: string;
  readonly payload: P;
  readonly tenantId: string | undefined;
  /** 1-based number of this attempt. */
  readonly attempt: number;
  readonly maxAttempts: number;
  /**
   * Aborted when the attempt times out (`timeoutMs`), the job is cancelled (`signal.reason` is a
   * `JobCancelledError`) or the worker's shutdown deadline passes.
   * Long handlers should pass it to I/O (fetch, LLM calls) and stop early: after an abort, the
   * attempt's outcome is decided without waiting for the handler.
   */
  readonly signal: AbortSignal;
  /** Stores progress on the job and emits a `progress` event. */
  updateProgress(progress: JobProgress): Promise<void>;
}

/**
 * Handles one attempt. Resolve with a JSON value to complete the job. Throw to fail the attempt:
 * it is retried with backoff unless attempts are exhausted or the error is a `NonRetryableJobError`
 * (or any `AiScaleError` with `isRetryable === false`), in which case the job fails for good and is
 * dead-lettered.
 */
export type JobHandler<P = unknown, R = unknown> = (job: JobContext<P>) => Promise<R>;

/** Handlers by job name. A job whose name has no handler fails for good (`JOB_NO_HANDLER`). */
// Handlers are contravariant in their payload: `any` lets a map hold handlers of different payload types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type JobHandlers = Readonly<Record<string, JobHandler<any, unknown>>>;

export interface WorkerOptions {
  /** Attempts this worker runs at once (default 1). */
  readonly concurrency?: number;
  /** At most `max` jobs started per `durationMs`, across every worker of the queue. */
  readonly rateLimit?: { readonly max: number; readonly durationMs: number };
  /**
   * How long a worker's lock on an active job lasts without renewal (default 30,000 ms). A worker
   * renews its locks while alive; when it dies, its jobs are re-queued once the lock expires.
   */
  readonly lockDurationMs?: number;
  /** How often expired locks are looked for (default 30,000 ms). */
  readonly stalledIntervalMs?: number;
  /** Times a job may be recovered from a dead worker before it fails for good (default 1). */
  readonly maxStalledCount?: number;
  /** Default deadline of `close()` (default 30,000 ms). */
  readonly shutdownDeadlineMs?: number;
  /**
   * Told about every error of the worker's own machinery (never a handler's: those fail the
   * attempt): a lost backend connection, a processing loop that stopped, the cancellation listener.
   * Log it; `health()` summarises the same. Never throws back into the worker.
   */
  readonly onError?: (event: WorkerErrorEvent) => void;
}

/** An error of the worker itself (see `WorkerOptions.onError`). */
export interface WorkerErrorEvent {
  /** `connection`: the backend is unreachable; `loop`: the processing loop stopped; `events`: the cancellation listener failed. */
  readonly kind: 'connection' | 'loop' | 'events';
  readonly error: Error;
}

/** What a readiness probe needs to know about a worker. */
export interface WorkerHealth {
  /** Started, not closing, its processing loop alive and its backend answering: it can take jobs. */
  readonly healthy: boolean;
  /** Started and its processing loop has not stopped (false before `start()` and after `close()`). */
  readonly running: boolean;
  /** The backend answered the worker's last check (every `lockDurationMs / 2`, at least once a second on BullMQ). */
  readonly backendReachable: boolean;
  /** Errors of the worker's machinery so far (what `onError` was told). */
  readonly errors: number;
  readonly lastError:
    { readonly kind: WorkerErrorEvent['kind']; readonly message: string; readonly at: number } | undefined;
}

export interface CloseWorkerOptions {
  /** How long active attempts may run before their signals are aborted and the jobs handed back. */
  readonly deadlineMs?: number;
}

/**
 * Consumes jobs of one queue.
 *
 * Guarantees: at-least-once execution (a job whose worker dies is run again by another worker once
 * its lock expires, so handlers with side effects must be idempotent or guard them with the job id);
 * at most `concurrency` attempts at once; the queue's rate limit holds across workers.
 */
export interface JobWorker {
  /** Starts taking jobs. Idempotent. */
  start(): Promise<void>;
  /**
   * Graceful shutdown (call it on SIGTERM): stops taking jobs at once, lets active attempts finish
   * until the deadline, then aborts their signals and hands their jobs back to the queue (they run
   * again, elsewhere, without using up an attempt). Resolves when nothing is left running here.
   */
  close(options?: CloseWorkerOptions): Promise<void>;
  /** Attempts running now. */
  readonly activeCount: number;
  /** Whether it can take jobs now, and what went wrong if not (for readiness probes). */
  health(): WorkerHealth;
}
