import { detectDocumentType, type TypeHints } from './detect/detect-document-type';
import { DocumentTooLargeError } from './errors/document-too-large.error';
import { EmptyDocumentError } from './errors/empty-document.error';
import { OcrUnavailableError } from './errors/ocr-unavailable.error';
import { resolveLimits, type DocumentLimitsInput } from './limits';
import { parseDocx } from './parsers/docx-parser';
import { parseHtml } from './parsers/html-parser';
import { parsePdf } from './parsers/pdf-parser';
import type { OcrEngine } from './ports/ocr-engine';
import type { ParsedDocument } from './ports/parsed-document';

export interface ParseDocumentOptions extends TypeHints {
  readonly limits?: DocumentLimitsInput;
  /** Needed for images and scanned PDF pages; without it such files fail with OcrUnavailableError. */
  readonly ocr?: OcrEngine;
  readonly signal?: AbortSignal;
  /** After each page recognised by OCR: pages done of the pages to recognise (live progress of a scan). */
  readonly onOcrPage?: (progress: { readonly done: number; readonly total: number }) => void | Promise<void>;
}

/**
 * Bytes in, clean text out. The type is detected from the bytes; every limit is checked before the
 * expensive step it guards; every failure is a typed `DocumentError` (never a raw parser exception).
 */
export async function parseDocument(
  bytes: Uint8Array,
  options: ParseDocumentOptions = {},
): Promise<ParsedDocument> {
  const limits = resolveLimits(options.limits);
  if (bytes.byteLength > limits.maxFileBytes) {
    throw new DocumentTooLargeError(`the file is ${bytes.byteLength} bytes (limit ${limits.maxFileBytes})`, {
      bytes: bytes.byteLength,
      limit: limits.maxFileBytes,
    });
  }
  const detected = await detectDocumentType(bytes, options);
  let parsed: ParsedDocument;
  switch (detected.kind) {
    case 'text':
    case 'markdown': {
      const text = new TextDecoder('utf-8')
        .decode(bytes)
        .replace(/^\uFEFF/, '')
        .replace(/\r\n?/g, '\n');
      parsed = {
        ...detected,
        text: text.trim(),
        textFormat: detected.kind === 'markdown' ? 'markdown' : 'text',
        ocrPages: [],
      };
      break;
    }
    case 'html': {
      const { text, title } = parseHtml(new TextDecoder('utf-8').decode(bytes));
      parsed = { ...detected, text, textFormat: 'markdown', ocrPages: [], ...(title ? { title } : {}) };
      break;
    }
    case 'docx': {
      const { text } = await parseDocx(bytes, limits);
      parsed = { ...detected, text, textFormat: 'markdown', ocrPages: [] };
      break;
    }
    case 'pdf': {
      const { text, title, pageCount, ocrPages } = await parsePdf(
        bytes,
        limits,
        options.ocr,
        options.signal,
        options.onOcrPage,
      );
      parsed = { ...detected, text, textFormat: 'text', pageCount, ocrPages, ...(title ? { title } : {}) };
      break;
    }
    case 'image': {
      if (!options.ocr) throw new OcrUnavailableError('the file is an image and no OCR engine is configured');
      const { text } = await options.ocr.recognize(bytes, options.signal ? { signal: options.signal } : {});
      await options.onOcrPage?.({ done: 1, total: 1 });
      parsed = { ...detected, text: text.trim(), textFormat: 'text', pageCount: 1, ocrPages: [1] };
      break;
    }
  }
  if (parsed.text.replace(/\s/g, '').length === 0) {
    throw new EmptyDocumentError(
      detected.kind === 'pdf' && !options.ocr
        ? 'the PDF has no text layer and no OCR engine is configured'
        : 'no text could be extracted from the file',
      { kind: detected.kind },
    );
  }
  if (parsed.text.length > limits.maxExtractedChars) {
    throw new DocumentTooLargeError(
      `the file expands to ${parsed.text.length} characters of text (limit ${limits.maxExtractedChars})`,
      { characters: parsed.text.length, limit: limits.maxExtractedChars },
    );
  }
  return parsed;
}
