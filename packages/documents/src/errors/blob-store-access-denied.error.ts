import { type ErrorCategory } from '@ai-scale/errors';
import { DocumentError } from './document-error';

/**
 * The blob store refused our credentials or their permissions (unknown access key, bad secret,
 * a policy that does not allow the operation): a configuration fault, not retried.
 */
export class BlobStoreAccessDeniedError extends DocumentError {
  readonly code = 'BLOB_STORE_ACCESS_DENIED';
  readonly category: ErrorCategory = 'SYSTEM';
  constructor(bucket: string, operation: string, reason: string, cause?: unknown) {
    super({
      message: `blob store denied ${operation} on bucket "${bucket}": ${reason}`,
      cause,
      isRetryable: false,
      details: { bucket, operation, reason },
    });
  }
}
