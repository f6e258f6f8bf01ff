import { AiScaleError } from '@ai-scale/errors';
import type { JobErrorInfo } from '../ports';

export const JOB_FAILED = 'JOB_FAILED';
export const JOB_NO_HANDLER = 'JOB_NO_HANDLER';
export const JOB_STALLED = 'JOB_STALLED';
/** The code of `JobCancelledError`: stored on a job whose running attempt was cancelled. */
export const JOB_CANCELLED = 'JOB_CANCELLED';

/** What is stored about a thrown value: its stable code, message and whether to retry. */
export function toErrorInfo(error: unknown): JobErrorInfo {
  if (AiScaleError.isInstance(error)) {
    return { code: error.code, message: error.message, retryable: error.isRetryable };
  }
  if (error instanceof Error) return { code: JOB_FAILED, message: error.message, retryable: true };
  return { code: JOB_FAILED, message: String(error), retryable: true };
}
