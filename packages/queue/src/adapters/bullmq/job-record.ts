import type { Job } from 'bullmq';
import type { JobRecord, JobState } from '../../ports';
import { JOB_CANCELLED } from '../../internal/errors';
import { decodeError, readEnvelope, readProgress } from './envelope';

/**
 * A BullMQ job as the port's plain record, in `state`. A job whose running attempt was cancelled
 * sits in BullMQ's failed set (with the JOB_CANCELLED code) until its worker removes it: `cancelled`.
 */
export function jobRecord(queue: string, job: Job, given: JobState): JobRecord {
  const envelope = readEnvelope(job.data);
  const error = decodeError(job.failedReason);
  const state = given === 'failed' && error?.code === JOB_CANCELLED ? 'cancelled' : given;
  const finished = state === 'completed' || state === 'failed' || state === 'cancelled';
  return {
    id: job.id as string,
    name: job.name,
    queue,
    tenantId: envelope.t,
    idempotencyKey: envelope.k,
    payload: envelope.p,
    state,
    priority: envelope.r,
    progress: readProgress(job.progress),
    result: state === 'completed' ? (job.returnvalue ?? undefined) : undefined,
    error: state === 'cancelled' ? undefined : error,
    attempts: job.attemptsMade,
    maxAttempts: job.opts.attempts ?? 1,
    createdAt: job.timestamp,
    startedAt: job.processedOn ?? undefined,
    finishedAt: finished ? (job.finishedOn ?? undefined) : undefined,
  };
}

/** BullMQ's state names as the port's. */
export function mapState(state: string): JobState {
  switch (state) {
    case 'delayed':
      return 'delayed';
    case 'active':
      return 'active';
    case 'completed':
      return 'completed';
    case 'failed':
      return 'failed';
    default:
      return 'queued'; // waiting, prioritized, waiting-children
  }
}
