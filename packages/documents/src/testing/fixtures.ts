/**
 * Test files of every kind, made in memory (nothing binary is committed): PDFs with and without a
 * text layer, a PNG of text for OCR, a DOCX, an HTML page, and the hostile ones (encrypted PDF,
 * truncated PDF, zip-bomb DOCX). Needs the dev dependencies `pdf-lib`, `jszip` and `@napi-rs/canvas`.
 */
import { createCanvas } from '@napi-rs/canvas';
import JSZip from 'jszip';
import { PDFDocument, StandardFonts } from 'pdf-lib';

/** A PNG of black text lines on white, large enough for OCR to read reliably. */
export function makeTextImage(lines: readonly string[], { width = 1100, fontSize = 36 } = {}): Uint8Array {
  const lineHeight = Math.round(fontSize * 1.6);
  const canvas = createCanvas(width, lineHeight * (lines.length + 1));
  const context = canvas.getContext('2d');
  context.fillStyle = 'white';
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.fillStyle = 'black';
  context.font = `${fontSize}px sans-serif`;
  lines.forEach((line, index) => context.fillText(line, 24, lineHeight * (index + 1)));
  return new Uint8Array(canvas.toBuffer('image/png'));
}

/** A PDF whose pages carry a real text layer (one string per page). */
export async function makeTextPdf(
  pages: readonly string[],
  title = 'Fixture PDF',
  { classicTrailer = false } = {},
): Promise<Uint8Array> {
  const document = await PDFDocument.create();
  document.setTitle(title);
  const font = await document.embedFont(StandardFonts.Helvetica);
  for (const pageText of pages) {
    const page = document.addPage([612, 792]);
    pageText.split('\n').forEach((line, index) => {
      page.drawText(line, { x: 50, y: 740 - index * 18, size: 12, font });
    });
  }
  return document.save({ useObjectStreams: !classicTrailer });
}

/** A "scanned" PDF: each page is only an image of text, with no text layer. */
export async function makeScannedPdf(pages: ReadonlyArray<readonly string[]>): Promise<Uint8Array> {
  const document = await PDFDocument.create();
  for (const lines of pages) {
    const png = await document.embedPng(makeTextImage(lines));
    const page = document.addPage([png.width / 2, png.height / 2]);
    page.drawImage(png, { x: 0, y: 0, width: png.width / 2, height: png.height / 2 });
  }
  return document.save();
}

/** A PDF with an /Encrypt dictionary whose password is not empty: pdf.js asks for a password. */
export async function makeEncryptedPdf(): Promise<Uint8Array> {
  const plain = Buffer.from(await makeTextPdf(['secret'], 'Secret', { classicTrailer: true })).toString(
    'latin1',
  );
  const hex = (seed: number) =>
    Array.from({ length: 32 }, (_, i) => ((seed * 31 + i * 7) % 256).toString(16).padStart(2, '0')).join('');
  const encrypt = `/Encrypt << /Filter /Standard /V 1 /R 2 /Length 40 /P -44 /O <${hex(3)}> /U <${hex(5)}> >> /ID [<${hex(7).slice(0, 32)}> <${hex(7).slice(0, 32)}>]`;
  return new Uint8Array(
    Buffer.from(
      plain.replace(/trailer\s*<</, (match) => `${match}\n${encrypt}\n`),
      'latin1',
    ),
  );
}

/** A PDF cut in half: the header says PDF, the structure is broken. */
export async function makeTruncatedPdf(): Promise<Uint8Array> {
  const bytes = await makeTextPdf(['This document will be truncated before its cross-reference table.']);
  return bytes.subarray(0, Math.floor(bytes.byteLength / 3));
}

const CONTENT_TYPES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
</Types>`;
const ROOT_RELS = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
</Relationships>`;

export interface DocxParagraph {
  readonly text: string;
  /** 1–6 to make it a heading (`Heading1`…), omitted for body text. */
  readonly heading?: number;
}

/** A minimal valid DOCX (WordprocessingML) with headings and paragraphs. */
export async function makeDocx(
  paragraphs: readonly DocxParagraph[],
  extraEntries: Record<string, Uint8Array | string> = {},
): Promise<Uint8Array> {
  const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const body = paragraphs
    .map(({ text, heading }) => {
      const style = heading ? `<w:pPr><w:pStyle w:val="Heading${heading}"/></w:pPr>` : '';
      return `<w:p>${style}<w:r><w:t xml:space="preserve">${escape(text)}</w:t></w:r></w:p>`;
    })
    .join('');
  const document = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${body}</w:body></w:document>`;
  const zip = new JSZip();
  zip.file('[Content_Types].xml', CONTENT_TYPES);
  zip.file('_rels/.rels', ROOT_RELS);
  zip.file('word/document.xml', document);
  for (const [name, content] of Object.entries(extraEntries)) zip.file(name, content);
  return zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE', compressionOptions: { level: 9 } });
}

/** A DOCX that is valid but carries a highly compressible 20 MB entry (~20 KB on disk: 1000:1). */
export async function makeZipBombDocx(): Promise<Uint8Array> {
  return makeDocx([{ text: 'Nothing to see here.' }], {
    'word/media/bomb.bin': new Uint8Array(20 * 1024 * 1024),
  });
}

/** An HTML page with navigation, a header, a footer and a script around its main article. */
export function makeHtmlPage(): string {
  return `<!DOCTYPE html>
<html><head><title>Rate limits | Acme Docs</title><style>body { color: red }</style>
<script>window.analytics = "tracking code";</script></head>
<body>
<nav><a href="/">Home</a> <a href="/pricing">Pricing</a> <a href="/login">Sign in</a></nav>
<header><p>Acme Developer Portal banner</p></header>
<main>
<h1>Rate limits</h1>
<p>Every API key may send 600 requests per minute.</p>
<h2>Exceeding the limit</h2>
<p>Requests over the limit receive status 429 with a Retry-After header.</p>
</main>
<aside>Related: quotas, billing</aside>
<footer>Copyright Acme Corporation. All rights reserved.</footer>
</body></html>`;
}
