import { type ErrorCategory } from '@ai-scale/errors';
import { DocumentError } from './document-error';

/** The document needs OCR but no OCR engine is configured, or the engine failed to start. */
export class OcrUnavailableError extends DocumentError {
  readonly code = 'DOCUMENT_OCR_UNAVAILABLE';
  readonly category: ErrorCategory = 'SYSTEM';
  constructor(message: string, cause?: unknown) {
    super({ message, cause });
  }
}
