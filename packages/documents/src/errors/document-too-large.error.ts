import { DocumentInputError } from './document-error';

/** The file, or the text it expands to, is over the tenant's size limit. */
export class DocumentTooLargeError extends DocumentInputError {
  readonly code = 'DOCUMENT_TOO_LARGE';
  constructor(message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super({ message, details, cause });
  }
}
