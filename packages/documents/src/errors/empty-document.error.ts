import { DocumentInputError } from './document-error';

/** The file has no bytes, or no text could be extracted from it (not even by OCR). */
export class EmptyDocumentError extends DocumentInputError {
  readonly code = 'DOCUMENT_EMPTY';
  constructor(message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super({ message, details, cause });
  }
}
