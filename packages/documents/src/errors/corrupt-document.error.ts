import { DocumentInputError } from './document-error';

/** The file claims a type but its structure is broken (truncated PDF, damaged zip, ...). */
export class CorruptDocumentError extends DocumentInputError {
  readonly code = 'DOCUMENT_CORRUPT';
  constructor(message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super({ message, details, cause });
  }
}
