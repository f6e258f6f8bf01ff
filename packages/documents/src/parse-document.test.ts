import { TesseractOcrEngine } from './adapters/tesseract';
import {
  ArchiveBombError,
  CorruptDocumentError,
  DocumentTooLargeError,
  EmptyDocumentError,
  EncryptedDocumentError,
  OcrUnavailableError,
  PageLimitExceededError,
  UnsupportedDocumentTypeError,
  parseDocument,
} from './index';
import {
  makeDocx,
  makeEncryptedPdf,
  makeHtmlPage,
  makeScannedPdf,
  makeTextImage,
  makeTextPdf,
  makeTruncatedPdf,
  makeZipBombDocx,
} from './testing';

const utf8 = (text: string) => new TextEncoder().encode(text);

describe('parseDocument', () => {
  let ocr: TesseractOcrEngine;
  beforeAll(() => {
    ocr = new TesseractOcrEngine({ concurrency: 1 });
  });
  afterAll(() => ocr.close());

  describe('parses each kind from its bytes', () => {
    it('plain text, normalising line endings', async () => {
      const parsed = await parseDocument(utf8('Line one\r\nLine two\r\n'));
      expect(parsed).toMatchObject({ kind: 'text', textFormat: 'text', text: 'Line one\nLine two' });
    });

    it('Markdown by content or by name, keeping headings', async () => {
      const byContent = await parseDocument(utf8('# Guide\n\nIntro.\n\n## Setup\n\nRun it.'));
      expect(byContent).toMatchObject({ kind: 'markdown', textFormat: 'markdown' });
      expect(byContent.text).toContain('## Setup');
      const byName = await parseDocument(utf8('Just *one* line.'), { filename: 'notes.md' });
      expect(byName.kind).toBe('markdown');
    });

    it('HTML: main content only, headings as Markdown, no navigation, scripts or footer', async () => {
      const parsed = await parseDocument(utf8(makeHtmlPage()), { filename: 'page.html' });
      expect(parsed).toMatchObject({
        kind: 'html',
        title: 'Rate limits | Acme Docs',
        textFormat: 'markdown',
      });
      expect(parsed.text).toContain('# Rate limits');
      expect(parsed.text).toContain('## Exceeding the limit');
      expect(parsed.text).toContain('600 requests per minute');
      for (const noise of ['Sign in', 'tracking code', 'Copyright', 'banner', 'color: red', 'Related']) {
        expect(parsed.text).not.toContain(noise);
      }
    });

    it('a PDF text layer, page by page, with its page count and title', async () => {
      const pdf = await makeTextPdf(
        ['Page one talks about lift.', 'Page two talks about drag.'],
        'Aero notes',
      );
      const parsed = await parseDocument(pdf, { filename: 'misleading-name.txt' });
      expect(parsed).toMatchObject({ kind: 'pdf', pageCount: 2, ocrPages: [], title: 'Aero notes' });
      expect(parsed.text).toMatch(/lift[\s\S]*drag/);
    });

    it('a DOCX with headings kept as Markdown', async () => {
      const docx = await makeDocx([
        { text: 'Onboarding', heading: 1 },
        { text: 'Create an API key in the console.' },
        { text: 'Billing', heading: 2 },
        { text: 'Invoices are sent monthly.' },
      ]);
      const parsed = await parseDocument(docx);
      expect(parsed.kind).toBe('docx');
      expect(parsed.text).toContain('# Onboarding');
      expect(parsed.text).toContain('## Billing');
      expect(parsed.text).toContain('Invoices are sent monthly.');
    });

    it('an image through OCR (tesseract.js, English data from the npm package, offline)', async () => {
      const png = makeTextImage(['Invoice 4521 total due 318 dollars']);
      const parsed = await parseDocument(png, { ocr });
      expect(parsed).toMatchObject({ kind: 'image', ocrPages: [1] });
      expect(parsed.text).toContain('Invoice 4521');
      expect(parsed.text).toContain('318');
    });

    it('a scanned PDF: pages without a text layer are rendered and read by OCR', async () => {
      const pdf = await makeScannedPdf([
        ['Turbulent boundary layers thicken'],
        ['downstream of the leading edge'],
      ]);
      const progress: Array<{ done: number; total: number }> = [];
      const parsed = await parseDocument(pdf, { ocr, onOcrPage: (page) => void progress.push(page) });
      expect(parsed.ocrPages).toEqual([1, 2]);
      // Live: one report per page recognised, as the job's "OCR page n of m".
      expect(progress).toEqual([
        { done: 1, total: 2 },
        { done: 2, total: 2 },
      ]);
      expect(parsed.text.toLowerCase()).toContain('boundary layers');
      expect(parsed.text.toLowerCase()).toContain('leading edge');
    });
  });

  describe('refuses bad input with a typed error', () => {
    it('an empty file', async () => {
      await expect(parseDocument(new Uint8Array())).rejects.toBeInstanceOf(EmptyDocumentError);
      await expect(parseDocument(utf8('  \n\t '))).rejects.toBeInstanceOf(EmptyDocumentError);
    });

    it('an unsupported type, detected from the bytes whatever the name says', async () => {
      const gzip = new Uint8Array([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4]);
      const error = await parseDocument(gzip, { filename: 'report.pdf' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnsupportedDocumentTypeError);
      expect((error as UnsupportedDocumentTypeError).code).toBe('DOCUMENT_TYPE_UNSUPPORTED');
      const binary = new Uint8Array([0x00, 0x13, 0x37, 0x00, 0xff, 0xfe, 0x01]);
      await expect(parseDocument(binary, { filename: 'notes.txt' })).rejects.toBeInstanceOf(
        UnsupportedDocumentTypeError,
      );
    });

    it('a file over the size limit, before any parsing', async () => {
      await expect(
        parseDocument(utf8('x'.repeat(2048)), { limits: { maxFileBytes: 1024 } }),
      ).rejects.toBeInstanceOf(DocumentTooLargeError);
    });

    it('a corrupt (truncated) PDF', async () => {
      await expect(parseDocument(await makeTruncatedPdf())).rejects.toBeInstanceOf(CorruptDocumentError);
    });

    it('an encrypted PDF', async () => {
      await expect(parseDocument(await makeEncryptedPdf())).rejects.toBeInstanceOf(EncryptedDocumentError);
    });

    it('a PDF over the page limit, before reading any page', async () => {
      const pdf = await makeTextPdf(['one', 'two', 'three']);
      await expect(parseDocument(pdf, { limits: { maxPages: 2 } })).rejects.toBeInstanceOf(
        PageLimitExceededError,
      );
    });

    it('a scanned PDF with more pages to OCR than allowed', async () => {
      const pdf = await makeScannedPdf([['one'], ['two']]);
      await expect(parseDocument(pdf, { ocr, limits: { maxOcrPages: 1 } })).rejects.toBeInstanceOf(
        PageLimitExceededError,
      );
    });

    it('a zip bomb in a DOCX, refused from its directory before inflating', async () => {
      const error = await parseDocument(await makeZipBombDocx()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ArchiveBombError);
      expect((error as ArchiveBombError).isRetryable).toBe(false);
    });

    it('an image or a scanned PDF when no OCR engine is configured', async () => {
      await expect(parseDocument(makeTextImage(['hello']))).rejects.toBeInstanceOf(OcrUnavailableError);
      await expect(parseDocument(await makeScannedPdf([['hello']]))).rejects.toBeInstanceOf(
        EmptyDocumentError,
      );
    });
  });
});
