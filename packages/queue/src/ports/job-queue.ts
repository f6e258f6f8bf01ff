import type { EnqueueOptions, EnqueueRequest, JobCounts, JobEventListener, JobRecord } from './job';
import type { JobHandlers, JobWorker, WorkerOptions } from './job-worker';

/**
 * A durable queue of background jobs (one named queue).
 *
 * Guarantees an adapter must honour:
 * - **Durability**: once `enqueue` resolves the job is stored; it is never lost by a worker dying.
 * - **At-least-once**: every job runs until it completes or fails for good; a worker crash may run
 *   an attempt twice, never zero times.
 * - **Idempotent enqueue**: the same `idempotencyKey` (per tenant) yields the same job id and one run.
 * - **Order**: lower `priority` first; within a priority, tenants are served round-robin (a tenant's
 *   n-th waiting job goes after every other tenant's first n−1), FIFO within a tenant.
 * - **Retries**: a failed attempt is retried after exponential backoff with jitter, capped by
 *   `maxMs`, until `attempts` are used; then the job is dead-lettered (`failed`).
 * - **Validation**: bad options or a payload that is not JSON throw `InvalidJobOptionsError` and
 *   store nothing; an unreachable backend throws `QueueUnavailableError`.
 */
export interface JobQueue {
  readonly name: string;
  enqueue<P = unknown>(name: string, payload: P, options?: EnqueueOptions): Promise<JobRecord<P>>;
  /** All or nothing for validation: one bad request rejects the whole batch before anything is stored. */
  enqueueBulk(requests: readonly EnqueueRequest[]): Promise<JobRecord[]>;
  /** The job, or `undefined` when it never existed or retention removed it. */
  getJob<P = unknown, R = unknown>(id: string): Promise<JobRecord<P, R> | undefined>;
  counts(): Promise<JobCounts>;
  /** Dead-lettered jobs, most recently failed first. */
  listDeadLetters(page?: { limit?: number; offset?: number }): Promise<JobRecord[]>;
  /** Moves a dead-lettered job back to `queued` with a fresh set of attempts. `JobNotFoundError` otherwise. */
  retryDeadLetter(id: string): Promise<JobRecord>;
  /**
   * Cancels a job, wherever it is: a `queued` or `delayed` job becomes `cancelled` at once and never
   * runs; a running job's handler has its `signal` aborted (reason: `JobCancelledError`) in whichever
   * worker process runs it, and the job becomes `cancelled` as soon as that worker sees the request
   * (the attempt's outcome is decided then, without waiting for the handler; it is never retried).
   * Emits a `cancelled` event. Idempotent: cancelling a cancelled job returns it again.
   * `JobAlreadyFinishedError` for a `completed` or `failed` job, `JobNotFoundError` for an unknown id.
   * Resolves with the job as it is now (still `active` while its worker is being told). A handler
   * that returns before the request reaches its worker completes the job: cancellation is a
   * request, not a guarantee, for running work.
   */
  cancel(id: string): Promise<JobRecord>;
  /** Listens to job events of this queue (from every process); returns the unsubscribe function. */
  subscribe(listener: JobEventListener): () => void;
  /** A worker for this queue; call `start()` on it. */
  createWorker(handlers: JobHandlers, options?: WorkerOptions): JobWorker;
  /** Releases connections and timers. Workers created by this queue are closed first. */
  close(): Promise<void>;
}
