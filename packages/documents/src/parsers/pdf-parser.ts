import { CorruptDocumentError } from '../errors/corrupt-document.error';
import { EncryptedDocumentError } from '../errors/encrypted-document.error';
import { OcrUnavailableError } from '../errors/ocr-unavailable.error';
import { PageLimitExceededError } from '../errors/page-limit-exceeded.error';
import type { DocumentLimits } from '../limits';
import type { OcrEngine } from '../ports/ocr-engine';
import { PdfSession, PdfThreadError } from './pdf-session';

/** A page with fewer characters than this in its text layer is treated as scanned and sent to OCR. */
const SCANNED_PAGE_MAX_CHARS = 16;
/** Render scale for OCR: 2× a PDF point is ~144 dpi, enough for body text. */
const OCR_SCALE = 2;

export interface PdfParseResult {
  readonly text: string;
  readonly title?: string;
  readonly pageCount: number;
  readonly ocrPages: number[];
}

/**
 * The text layer of every page; pages without one (scans) are rendered and read by OCR when an
 * engine is given. Page count is checked before any page is read.
 */
export async function parsePdf(
  bytes: Uint8Array,
  limits: DocumentLimits,
  ocr: OcrEngine | undefined,
  signal?: AbortSignal,
  onOcrPage?: (progress: { readonly done: number; readonly total: number }) => void | Promise<void>,
): Promise<PdfParseResult> {
  const session = new PdfSession(new Uint8Array(bytes));
  try {
    const info = await session.info().catch(mapPdfError);
    if (info.pages > limits.maxPages) {
      throw new PageLimitExceededError(`the PDF has ${info.pages} pages (limit ${limits.maxPages})`, {
        pages: info.pages,
        limit: limits.maxPages,
      });
    }
    const pages = new Map(
      (await session.text().catch(mapPdfError)).map(({ page, text }) => [page, text.trim()]),
    );
    const scanned = [...pages.keys()].filter(
      (page) => (pages.get(page) ?? '').replace(/\s/g, '').length < SCANNED_PAGE_MAX_CHARS,
    );
    const ocrPages: number[] = [];
    if (scanned.length > 0 && ocr) {
      if (scanned.length > limits.maxOcrPages) {
        throw new PageLimitExceededError(
          `the PDF has ${scanned.length} scanned pages to OCR (limit ${limits.maxOcrPages})`,
          { ocrPages: scanned.length, limit: limits.maxOcrPages },
        );
      }
      // One page at a time: a 200-page scan must not hold 200 rendered images in memory.
      for (const pageNumber of scanned) {
        signal?.throwIfAborted();
        const image = await session.render(pageNumber, OCR_SCALE).catch((error: unknown) => {
          throw new OcrUnavailableError(`page ${pageNumber} could not be rendered for OCR`, error);
        });
        if (!image) continue;
        const { text } = await ocr.recognize(image, signal ? { signal } : {});
        pages.set(pageNumber, text.trim());
        ocrPages.push(pageNumber);
        await onOcrPage?.({ done: ocrPages.length, total: scanned.length });
      }
    }
    const text = [...pages.entries()]
      .sort(([a], [b]) => a - b)
      .map(([, pageText]) => pageText)
      .filter((pageText) => pageText.length > 0)
      .join('\n\n');
    const title = info.title?.trim();
    return { text, pageCount: info.pages, ocrPages, ...(title ? { title } : {}) };
  } finally {
    await session.close().catch(() => undefined);
  }
}

function mapPdfError(error: unknown): never {
  const name = error instanceof PdfThreadError ? error.originalName : ((error as Error | null)?.name ?? '');
  if (name === 'PasswordException') {
    throw new EncryptedDocumentError('the PDF is password-protected', {}, error);
  }
  throw new CorruptDocumentError(
    `the PDF cannot be read: ${(error as Error | null)?.message ?? String(error)}`,
    {},
    error,
  );
}
