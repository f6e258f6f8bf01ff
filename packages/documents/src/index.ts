export * from './errors';
export {
  detectDocumentType,
  type DetectedType,
  type DocumentKind,
  type TypeHints,
} from './detect/detect-document-type';
export { documentLimitsSchema, resolveLimits, type DocumentLimits, type DocumentLimitsInput } from './limits';
export { parseDocument, type ParseDocumentOptions } from './parse-document';
export type { ParsedDocument } from './ports/parsed-document';
export type { OcrEngine, OcrResult } from './ports/ocr-engine';
export type { BlobStore } from './ports/blob-store';
export { MemoryBlobStore } from './adapters/memory/memory-blob-store';
export { FilesystemBlobStore } from './adapters/filesystem/filesystem-blob-store';
export {
  IngestionPipeline,
  INDEX_JOB,
  PARSE_JOB,
  type IndexResult,
  type IngestionPipelineOptions,
  type IngestionStage,
  type IngestionStageEvent,
  type IngestionStatus,
  type SubmitDocumentInput,
  type SubmittedDocument,
} from './pipeline/ingestion-pipeline';
