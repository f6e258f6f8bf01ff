import type { DocumentKind } from '../detect/detect-document-type';

/** What a parser returns: clean text ready for the chunker, and what it learned on the way. */
export interface ParsedDocument {
  readonly kind: DocumentKind;
  readonly mime: string;
  /** The document's text. Markdown keeps its headings so the chunker can keep heading paths. */
  readonly text: string;
  /** `markdown` when `text` keeps Markdown structure (Markdown files, HTML and DOCX converted to it). */
  readonly textFormat: 'text' | 'markdown';
  readonly title?: string;
  readonly pageCount?: number;
  /** Pages whose text came from OCR (1-based); empty when none did. */
  readonly ocrPages: readonly number[];
}
