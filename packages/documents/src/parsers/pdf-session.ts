import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { PdfWorkerRequest, PdfWorkerResponse } from './pdf-worker';

export interface PdfSessionOptions {
  /** Heap limit of the parsing thread: a hostile PDF exhausts this, not the job worker. */
  readonly maxHeapMb?: number;
}

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;
type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };

/** The error pdf.js raised in the parsing thread, with its original name (`PasswordException`, …). */
export class PdfThreadError extends Error {
  constructor(
    readonly originalName: string,
    message: string,
  ) {
    super(message);
    this.name = 'PdfThreadError';
  }
}

/**
 * One PDF opened in its own worker thread. pdf.js runs there (it loads ES modules and allocates
 * freely); this side only sends requests and receives plain values. `close()` terminates the thread.
 */
export class PdfSession {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failure: Error | undefined;

  constructor(bytes: Uint8Array, options: PdfSessionOptions = {}) {
    this.worker = new Worker(workerScript(), {
      workerData: { bytes },
      resourceLimits: { maxOldGenerationSizeMb: options.maxHeapMb ?? 512 },
    });
    this.worker.unref();
    this.worker.on('message', (response: PdfWorkerResponse) => {
      const pending = this.pending.get(response.id);
      if (!pending) return;
      this.pending.delete(response.id);
      if (response.ok) pending.resolve(response.value);
      else pending.reject(new PdfThreadError(response.errorName, response.message));
    });
    const failAll = (error: Error) => {
      this.failure = error;
      for (const pending of this.pending.values()) pending.reject(error);
      this.pending.clear();
    };
    this.worker.on('error', failAll);
    this.worker.on('exit', (code) =>
      failAll(new PdfThreadError('WorkerExit', `PDF thread exited (${code})`)),
    );
  }

  info(): Promise<{ pages: number; title?: string }> {
    return this.request({ op: 'info' }) as Promise<{ pages: number; title?: string }>;
  }

  text(): Promise<Array<{ page: number; text: string }>> {
    return this.request({ op: 'text' }) as Promise<Array<{ page: number; text: string }>>;
  }

  render(page: number, scale: number): Promise<Uint8Array | null> {
    return this.request({ op: 'render', page, scale }) as Promise<Uint8Array | null>;
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }

  private request(body: WithoutId<PdfWorkerRequest>): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolvePromise, reject) => {
      this.pending.set(id, { resolve: resolvePromise, reject });
      this.worker.postMessage({ ...body, id });
    });
  }
}

/**
 * The compiled worker script. From dist/ it sits beside this file; when this file runs from src/
 * (jest compiles TypeScript in memory), the thread still needs JavaScript: the package's dist/.
 */
function workerScript(): string {
  const beside = join(__dirname, 'pdf-worker.js');
  if (existsSync(beside)) return beside;
  const built = resolve(__dirname, '../../dist/parsers/pdf-worker.js');
  if (existsSync(built)) return built;
  throw new Error('pdf-worker.js not found: build @ai-scale/documents first');
}
