export { DocumentError, DocumentInputError } from './document-error';
export { EmptyDocumentError } from './empty-document.error';
export { UnsupportedDocumentTypeError } from './unsupported-document-type.error';
export { DocumentTooLargeError } from './document-too-large.error';
export { CorruptDocumentError } from './corrupt-document.error';
export { EncryptedDocumentError } from './encrypted-document.error';
export { ArchiveBombError } from './archive-bomb.error';
export { PageLimitExceededError } from './page-limit-exceeded.error';
export { OcrUnavailableError } from './ocr-unavailable.error';
