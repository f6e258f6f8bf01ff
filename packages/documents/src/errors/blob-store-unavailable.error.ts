import { type ErrorCategory } from '@ai-scale/errors';
import { DocumentError } from './document-error';

/**
 * The blob store could not be reached or failed (connection refused, timeout, 5xx, throttling):
 * transient as far as we can tell, so a job that meets it is retried.
 */
export class BlobStoreUnavailableError extends DocumentError {
  readonly code = 'BLOB_STORE_UNAVAILABLE';
  readonly category: ErrorCategory = 'SYSTEM';
  constructor(operation: string, reason: string, cause?: unknown) {
    super({
      message: `blob store unavailable during ${operation}: ${reason}`,
      cause,
      isRetryable: true,
      details: { operation, reason },
    });
  }
}
