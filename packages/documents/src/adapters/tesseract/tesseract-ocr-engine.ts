import { createRequire } from 'node:module';
import { OcrUnavailableError } from '../../errors/ocr-unavailable.error';
import type { OcrEngine, OcrResult } from '../../ports/ocr-engine';

export interface TesseractOcrEngineOptions {
  /**
   * Most recognitions running at once (each is one tesseract worker, ~1 core and ~100 MB).
   * Keep it below the worker's job concurrency so OCR cannot occupy every slot. Default 1.
   */
  readonly concurrency?: number;
  /** Folder holding `eng.traineddata.gz`; default: the `@tesseract.js-data/eng` package (offline). */
  readonly langPath?: string;
}

interface TesseractWorker {
  recognize(image: Buffer): Promise<{ data: { text: string; confidence: number } }>;
  terminate(): Promise<unknown>;
}

/**
 * OCR with tesseract.js (WebAssembly, English). The language data comes from the
 * `@tesseract.js-data/eng` package on disk: nothing is downloaded at run time. Workers start lazily
 * and are reused; callers beyond `concurrency` wait in FIFO order.
 */
export class TesseractOcrEngine implements OcrEngine {
  private readonly concurrency: number;
  private readonly langPath: string | undefined;
  private readonly idle: TesseractWorker[] = [];
  private readonly waiting: Array<(worker: TesseractWorker) => void> = [];
  private started = 0;
  private closed = false;

  constructor(options: TesseractOcrEngineOptions = {}) {
    this.concurrency = Math.max(1, options.concurrency ?? 1);
    this.langPath = options.langPath;
  }

  async recognize(image: Uint8Array, options: { readonly signal?: AbortSignal } = {}): Promise<OcrResult> {
    options.signal?.throwIfAborted();
    const worker = await this.acquire();
    try {
      options.signal?.throwIfAborted();
      const { data } = await worker.recognize(Buffer.from(image));
      return { text: data.text, confidence: data.confidence };
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw new OcrUnavailableError('OCR failed on the image', error);
    } finally {
      this.release(worker);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const workers = this.idle.splice(0);
    await Promise.all(workers.map((worker) => worker.terminate()));
  }

  private async acquire(): Promise<TesseractWorker> {
    if (this.closed) throw new OcrUnavailableError('the OCR engine is closed');
    const ready = this.idle.pop();
    if (ready) return ready;
    if (this.started < this.concurrency) {
      this.started++;
      try {
        return await this.startWorker();
      } catch (error) {
        this.started--;
        throw new OcrUnavailableError('the OCR engine could not start', error);
      }
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(worker: TesseractWorker): void {
    const next = this.waiting.shift();
    if (next) next(worker);
    else if (this.closed) void worker.terminate();
    else this.idle.push(worker);
  }

  private async startWorker(): Promise<TesseractWorker> {
    // Resolved lazily so that importing this module costs nothing until OCR is needed.
    const require = createRequire(__filename);
    const tesseract = require('tesseract.js') as {
      createWorker(lang: string, oem: number, options: Record<string, unknown>): Promise<TesseractWorker>;
    };
    const langPath = this.langPath ?? (require('@tesseract.js-data/eng') as { langPath: string }).langPath;
    return tesseract.createWorker('eng', 1, { langPath, gzip: true, cacheMethod: 'none' });
  }
}
