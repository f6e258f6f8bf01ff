import { type ErrorCategory } from '@ai-scale/errors';
import { DocumentError } from './document-error';

/**
 * A stage's stored input is gone (the document was deleted while its job waited, or the blob store
 * lost it). Retrying cannot bring it back: the job fails for good.
 */
export class DocumentBlobMissingError extends DocumentError {
  readonly code = 'DOCUMENT_BLOB_MISSING';
  readonly category: ErrorCategory = 'SYSTEM';
  constructor(key: string) {
    super({
      message: `stored file ${key} is missing (deleted while queued?)`,
      isRetryable: false,
      details: { key },
    });
  }
}
