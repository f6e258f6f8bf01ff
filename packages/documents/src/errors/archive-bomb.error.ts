import { DocumentInputError } from './document-error';

/** A zip-based file (DOCX) expands far beyond its size: refused before it is inflated. */
export class ArchiveBombError extends DocumentInputError {
  readonly code = 'DOCUMENT_ARCHIVE_BOMB';
  constructor(message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super({ message, details, cause });
  }
}
