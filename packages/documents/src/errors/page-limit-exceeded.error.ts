import { DocumentInputError } from './document-error';

/** The document has more pages than the tenant's limit allows. */
export class PageLimitExceededError extends DocumentInputError {
  readonly code = 'DOCUMENT_PAGE_LIMIT_EXCEEDED';
  constructor(message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super({ message, details, cause });
  }
}
