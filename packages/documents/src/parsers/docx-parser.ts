import JSZip from 'jszip';
import mammoth from 'mammoth';
import { ArchiveBombError } from '../errors/archive-bomb.error';
import { CorruptDocumentError } from '../errors/corrupt-document.error';
import type { DocumentLimits } from '../limits';
import { parseHtml } from './html-parser';

interface ZipEntryInternals {
  readonly _data?: { readonly uncompressedSize?: number; readonly compressedSize?: number };
}

/**
 * DOCX → Markdown-flavoured text (headings kept). Before mammoth inflates anything, the archive's
 * central directory is read and the declared sizes checked against the limits, so a zip bomb is
 * refused from its directory alone. While inflating, the real sizes are counted as well, because a
 * crafted directory can lie.
 */
export async function parseDocx(bytes: Uint8Array, limits: DocumentLimits): Promise<{ text: string }> {
  let zip: JSZip;
  try {
    zip = await JSZip.loadAsync(bytes, { checkCRC32: false });
  } catch (error) {
    throw new CorruptDocumentError('the DOCX archive cannot be read', {}, error);
  }
  const entries = Object.values(zip.files).filter((entry) => !entry.dir);
  if (entries.length > limits.maxArchiveEntries) {
    throw new ArchiveBombError(`the DOCX has ${entries.length} entries (limit ${limits.maxArchiveEntries})`, {
      entries: entries.length,
    });
  }
  let declared = 0;
  for (const entry of entries) {
    declared += (entry as unknown as ZipEntryInternals)._data?.uncompressedSize ?? 0;
  }
  checkExpansion(declared, bytes.byteLength, limits);
  if (!zip.file('word/document.xml')) {
    throw new CorruptDocumentError('the archive is not a Word document (no word/document.xml)');
  }
  // Inflate ourselves with a running count, then hand mammoth an archive we know is safe.
  let inflated = 0;
  for (const entry of entries) {
    const content = await entry.async('uint8array');
    inflated += content.byteLength;
    checkExpansion(inflated, bytes.byteLength, limits);
  }
  try {
    const { value: html } = await mammoth.convertToHtml({ buffer: Buffer.from(bytes) });
    return { text: parseHtml(`<body>${html}</body>`).text };
  } catch (error) {
    throw new CorruptDocumentError('the DOCX content cannot be converted', {}, error);
  }
}

function checkExpansion(uncompressed: number, compressed: number, limits: DocumentLimits): void {
  if (uncompressed > limits.maxUncompressedBytes) {
    throw new ArchiveBombError(`the DOCX expands to more than ${limits.maxUncompressedBytes} bytes`, {
      uncompressedBytes: uncompressed,
      limit: limits.maxUncompressedBytes,
    });
  }
  const ratio = uncompressed / Math.max(1, compressed);
  if (uncompressed > 1024 * 1024 && ratio > limits.maxCompressionRatio) {
    throw new ArchiveBombError(
      `the DOCX expands ${Math.round(ratio)}× (limit ${limits.maxCompressionRatio}×)`,
      { ratio: Math.round(ratio), limit: limits.maxCompressionRatio },
    );
  }
}
