import { fromBuffer } from 'file-type';
import { EmptyDocumentError } from '../errors/empty-document.error';
import { UnsupportedDocumentTypeError } from '../errors/unsupported-document-type.error';

export type DocumentKind = 'text' | 'markdown' | 'html' | 'pdf' | 'docx' | 'image';

export interface DetectedType {
  readonly kind: DocumentKind;
  readonly mime: string;
}

export interface TypeHints {
  /** The uploaded file name: used only to tell Markdown from plain text, never to trust a binary type. */
  readonly filename?: string;
  /** The Content-Type the client claimed: same rule as `filename`. */
  readonly declaredMime?: string;
}

const IMAGE_MIMES = new Set([
  'image/png',
  'image/jpeg',
  'image/tiff',
  'image/bmp',
  'image/webp',
  'image/gif',
]);
const DOCX_MIME = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const SNIFF_BYTES = 8192;

/**
 * Detects what a file is from its bytes (magic numbers via file-type, then a UTF-8 text sniff).
 * The name and the declared type are hints for text flavours only: a `.pdf` that is really a PNG is
 * treated as a PNG, and an `.exe` renamed `.txt` is refused because its bytes are not text.
 */
export async function detectDocumentType(bytes: Uint8Array, hints: TypeHints = {}): Promise<DetectedType> {
  if (bytes.byteLength === 0) throw new EmptyDocumentError('the file is empty (0 bytes)');
  const magic = await fromBuffer(bytes);
  if (magic) {
    if (magic.mime === 'application/pdf') return { kind: 'pdf', mime: magic.mime };
    if (magic.mime === DOCX_MIME) return { kind: 'docx', mime: magic.mime };
    if (IMAGE_MIMES.has(magic.mime)) return { kind: 'image', mime: magic.mime };
    if (magic.mime !== 'application/xml') {
      throw new UnsupportedDocumentTypeError(`files of type ${magic.mime} are not supported`, {
        detectedMime: magic.mime,
      });
    }
  }
  const head = bytes.subarray(0, SNIFF_BYTES);
  if (!looksLikeText(head)) {
    throw new UnsupportedDocumentTypeError('the file is binary data of an unknown type', {
      detectedMime: 'application/octet-stream',
    });
  }
  const text = new TextDecoder('utf-8').decode(head).replace(/^\uFEFF/, '');
  if (isHtml(text, hints)) return { kind: 'html', mime: 'text/html' };
  if (isMarkdown(text, hints)) return { kind: 'markdown', mime: 'text/markdown' };
  return { kind: 'text', mime: 'text/plain' };
}

function looksLikeText(head: Uint8Array): boolean {
  if (head.includes(0)) return false;
  // A multi-byte character may be cut at the sniff boundary: drop up to 3 trailing bytes.
  for (let cut = 0; cut <= 3 && cut < head.byteLength; cut++) {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, head.byteLength - cut));
      return true;
    } catch {
      // try a shorter prefix
    }
  }
  return false;
}

function isHtml(text: string, hints: TypeHints): boolean {
  const start = text.trimStart().slice(0, 512).toLowerCase();
  if (start.startsWith('<!doctype html') || start.startsWith('<html')) return true;
  const declaredHtml =
    hints.declaredMime?.startsWith('text/html') || /\.x?html?$/i.test(hints.filename ?? '');
  return declaredHtml === true && /<(body|head|div|p|main|article)[\s>]/i.test(text);
}

function isMarkdown(text: string, hints: TypeHints): boolean {
  if (/\.(md|markdown|mdx)$/i.test(hints.filename ?? '') || hints.declaredMime?.startsWith('text/markdown')) {
    return true;
  }
  const headings = text.match(/^#{1,6} \S/gm)?.length ?? 0;
  const fences = text.match(/^```/gm)?.length ?? 0;
  return headings >= 2 || (headings >= 1 && fences >= 2);
}
