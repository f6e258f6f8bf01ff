/** A value that survives `JSON.stringify` → `JSON.parse` unchanged: what a payload, result or progress may hold. */
export type JsonValue =
  string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/**
 * Where a job is in its life:
 * - `queued`: waiting for a worker;
 * - `delayed`: waiting for its `delayMs`, or for the backoff before its next attempt (`attempts > 0`);
 * - `active`: a worker holds it;
 * - `completed`: a handler returned; `result` holds its value;
 * - `failed`: failed for good (attempts exhausted, a non-retryable error, or stalled too often):
 *   it sits in the dead-letter set until `retryDeadLetter` or retention removes it;
 * - `cancelled`: `cancel` stopped it (before it ran, or by aborting its running attempt). Terminal,
 *   kept as long as failed jobs, never in the dead-letter set.
 */
export type JobState = 'queued' | 'delayed' | 'active' | 'completed' | 'failed' | 'cancelled';

export const JOB_STATES: readonly JobState[] = [
  'queued',
  'delayed',
  'active',
  'completed',
  'failed',
  'cancelled',
];

/** Progress a handler reports: a percentage (0–100) or any JSON object. */
export type JobProgress = number | { readonly [key: string]: JsonValue };

/** Why an attempt failed, as stored with the job (never the thrown object itself). */
export interface JobErrorInfo {
  /** The `code` of an `AiScaleError`, or `JOB_FAILED` for any other error. */
  readonly code: string;
  readonly message: string;
  readonly retryable: boolean;
}

export interface BackoffOptions {
  /** Only exponential: delay = min(maxMs, baseMs × 2^(attempt−1)), then jitter. */
  readonly type: 'exponential';
  /** Delay before the second attempt, in ms (default 1,000). */
  readonly baseMs?: number;
  /** Upper bound of any delay, in ms, applied before jitter (default 60,000). */
  readonly maxMs?: number;
  /**
   * Fraction 0–1 of the delay that is randomised (default 0.5): the delay is drawn uniformly from
   * [delay × (1 − jitter), delay], so retries of many jobs failing together spread out.
   */
  readonly jitter?: number;
}

export interface EnqueueOptions {
  /** The tenant the job belongs to: the unit of fairness, and a label on metrics and spans. */
  readonly tenantId?: string;
  /**
   * Enqueue at most once: a second `enqueue` with the same key (within the same tenant) returns the
   * existing job and never runs the handler again, as long as the first job is retained (see the
   * adapter's retention options). 1–200 characters.
   */
  readonly idempotencyKey?: string;
  /** 1 (most urgent) … 32 (least); default 16. Priority wins over tenant fairness. */
  readonly priority?: number;
  /** Do not start before this many ms from now. */
  readonly delayMs?: number;
  /** Total attempts, the first included (default 3, at most 100). */
  readonly attempts?: number;
  readonly backoff?: BackoffOptions;
  /**
   * Longest an attempt may run: the handler's `signal` is then aborted and the attempt fails with a
   * retryable `JobTimeoutError`, whether or not the handler stops.
   */
  readonly timeoutMs?: number;
}

/** One job of a bulk enqueue. */
export interface EnqueueRequest<P = unknown> {
  readonly name: string;
  readonly payload: P;
  readonly options?: EnqueueOptions;
}

/** A snapshot of a job. Plain data: safe to serialise and return over HTTP. */
export interface JobRecord<P = unknown, R = unknown> {
  readonly id: string;
  readonly name: string;
  readonly queue: string;
  readonly tenantId: string | undefined;
  readonly idempotencyKey: string | undefined;
  readonly payload: P;
  readonly state: JobState;
  readonly priority: number;
  readonly progress: JobProgress;
  readonly result: R | undefined;
  /** The error of the last failed attempt, if any. */
  readonly error: JobErrorInfo | undefined;
  /** Attempts finished so far (failed ones, plus the successful one). */
  readonly attempts: number;
  readonly maxAttempts: number;
  /** Epoch ms. */
  readonly createdAt: number;
  /** Epoch ms the last attempt started. */
  readonly startedAt: number | undefined;
  /** Epoch ms the job completed or failed for good. */
  readonly finishedAt: number | undefined;
}

export type JobCounts = Readonly<Record<JobState, number>>;

/**
 * What happens to jobs, for dashboards and server-sent events. Delivered at most once per
 * subscriber, in order per job; events emitted before `subscribe` are not replayed.
 * - `queued` (also after `retryDeadLetter`), `delayed` (`delayMs` from enqueue);
 * - `active`: an attempt started (`getJob` tells which: `attempts + 1`);
 * - `progress`: the handler called `updateProgress`;
 * - `completed` with `result`;
 * - `retrying`: an attempt failed and another is scheduled after `delayMs`;
 * - `failed`: the job failed for good and is now in the dead-letter set (`error`);
 * - `cancelled`: the job was cancelled (at once if it was waiting; once its worker aborted the
 *   attempt if it was running).
 */
export type JobEvent =
  | { readonly type: 'queued'; readonly jobId: string; readonly timestamp: number }
  | { readonly type: 'delayed'; readonly jobId: string; readonly delayMs: number; readonly timestamp: number }
  | { readonly type: 'active'; readonly jobId: string; readonly timestamp: number }
  | {
      readonly type: 'progress';
      readonly jobId: string;
      readonly progress: JobProgress;
      readonly timestamp: number;
    }
  | {
      readonly type: 'completed';
      readonly jobId: string;
      readonly result: unknown;
      readonly timestamp: number;
    }
  | {
      readonly type: 'retrying';
      readonly jobId: string;
      readonly delayMs: number;
      readonly timestamp: number;
    }
  | {
      readonly type: 'failed';
      readonly jobId: string;
      readonly error: JobErrorInfo;
      readonly timestamp: number;
    }
  | { readonly type: 'cancelled'; readonly jobId: string; readonly timestamp: number };

export type JobEventType = JobEvent['type'];
export type JobEventListener = (event: JobEvent) => void;
