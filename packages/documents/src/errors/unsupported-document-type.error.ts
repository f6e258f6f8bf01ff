import { DocumentInputError } from './document-error';

/** The bytes are of a type no parser handles (detected from the content, not the file name). */
export class UnsupportedDocumentTypeError extends DocumentInputError {
  readonly code = 'DOCUMENT_TYPE_UNSUPPORTED';
  constructor(message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super({ message, details, cause });
  }
}
