import { DocumentInputError } from './document-error';

/** The file is password-protected; ai-scale does not take passwords. */
export class EncryptedDocumentError extends DocumentInputError {
  readonly code = 'DOCUMENT_ENCRYPTED';
  constructor(message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super({ message, details, cause });
  }
}
