/**
 * Runs inside a worker thread (see pdf-session.ts): pdf.js parses untrusted bytes here, away from
 * the job worker's heap, under the thread's resource limits. One PDF per thread; requests arrive
 * as messages and are answered in order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PDFParse } from 'pdf-parse';

export type PdfWorkerRequest =
  | { readonly id: number; readonly op: 'info' }
  | { readonly id: number; readonly op: 'text' }
  | { readonly id: number; readonly op: 'render'; readonly page: number; readonly scale: number };

export type PdfWorkerResponse =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly errorName: string; readonly message: string };

const port = parentPort;
if (port) {
  const parser = new PDFParse({ data: workerData.bytes as Uint8Array, verbosity: 0 });
  port.on('message', (request: PdfWorkerRequest) => {
    handle(parser, request).then(
      (value) => port.postMessage({ id: request.id, ok: true, value } satisfies PdfWorkerResponse),
      (error: unknown) =>
        port.postMessage({
          id: request.id,
          ok: false,
          errorName: (error as Error | null)?.name ?? 'Error',
          message: (error as Error | null)?.message ?? String(error),
        } satisfies PdfWorkerResponse),
    );
  });
}

async function handle(parser: PDFParse, request: PdfWorkerRequest): Promise<unknown> {
  switch (request.op) {
    case 'info': {
      const info = await parser.getInfo();
      const title: unknown = info.info?.Title;
      return { pages: info.total, title: typeof title === 'string' ? title : undefined };
    }
    case 'text': {
      const result = await parser.getText();
      return result.pages.map((page) => ({ page: page.num, text: page.text }));
    }
    case 'render': {
      const shot = await parser.getScreenshot({
        partial: [request.page],
        scale: request.scale,
        imageDataUrl: false,
        imageBuffer: true,
      });
      return shot.pages[0]?.data ?? null;
    }
  }
}
