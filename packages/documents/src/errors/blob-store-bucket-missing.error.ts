import { type ErrorCategory } from '@ai-scale/errors';
import { DocumentError } from './document-error';

/** The blob store's bucket does not exist (a wrong `S3_BUCKET`, or it was deleted): a configuration fault, not retried. */
export class BlobStoreBucketMissingError extends DocumentError {
  readonly code = 'BLOB_STORE_BUCKET_MISSING';
  readonly category: ErrorCategory = 'SYSTEM';
  constructor(bucket: string, cause?: unknown) {
    super({
      message: `blob store bucket "${bucket}" does not exist`,
      cause,
      isRetryable: false,
      details: { bucket },
    });
  }
}
