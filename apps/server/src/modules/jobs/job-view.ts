import { type JobRecord } from '@ai-scale/queue';

export type PublicJobState = 'queued' | 'active' | 'completed' | 'failed' | 'cancelled';

/** A job as the API shows it: `delayed` (waiting for a retry backoff) reads as `queued`. */
export interface JobView {
  readonly id: string;
  readonly type: string;
  readonly state: PublicJobState;
  readonly progress: unknown;
  readonly result: unknown;
  readonly error: { code: string; message: string } | null;
  readonly attempts: number;
  readonly createdAt: string;
  readonly finishedAt: string | null;
}

export function toJobView(job: JobRecord): JobView {
  return {
    id: job.id,
    type: job.name,
    state: job.state === 'delayed' ? 'queued' : job.state,
    progress: job.progress,
    result: job.result ?? null,
    error: job.error ? { code: job.error.code, message: job.error.message } : null,
    attempts: job.attempts,
    createdAt: new Date(job.createdAt).toISOString(),
    finishedAt: job.finishedAt === undefined ? null : new Date(job.finishedAt).toISOString(),
  };
}
