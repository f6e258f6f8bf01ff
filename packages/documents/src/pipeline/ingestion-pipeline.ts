import { createHash } from 'node:crypto';
import { AiScaleError } from '@ai-scale/errors';
import type { JobContext, JobHandlers, JobQueue, JobRecord, JobState } from '@ai-scale/queue';
import type { Retrieval } from '@ai-scale/retrieval';
import { detectDocumentType, type DetectedType } from '../detect/detect-document-type';
import { DocumentBlobMissingError } from '../errors/document-blob-missing.error';
import { DocumentTooLargeError } from '../errors/document-too-large.error';
import { resolveLimits, type DocumentLimitsInput } from '../limits';
import { parseDocument } from '../parse-document';
import type { BlobStore } from '../ports/blob-store';
import type { OcrEngine } from '../ports/ocr-engine';
import type { ParsedDocument } from '../ports/parsed-document';

export const PARSE_JOB = 'document.parse';
export const INDEX_JOB = 'document.index';

/** Where a document is; the server mirrors it on its `documents` table. */
export type IngestionStage = 'queued' | 'parsing' | 'indexing' | 'ready' | 'failed';

export interface IngestionStageEvent {
  readonly tenantId: string;
  readonly documentId: string;
  readonly stage: IngestionStage;
  /** On `ready`: chunk counts; on `parsing` → `indexing`: what the parser found. */
  readonly detail?: Readonly<Record<string, unknown>>;
  /** On `failed`: the typed error's code and message. */
  readonly error?: { readonly code: string; readonly message: string };
}

export interface IngestionPipelineOptions {
  readonly queue: JobQueue;
  readonly blobs: BlobStore;
  readonly retrieval: Pick<Retrieval, 'ingestDocument' | 'removeDocument'>;
  /** For images and scanned PDFs. Bound its concurrency below the worker's (see TesseractOcrEngine). */
  readonly ocr?: OcrEngine;
  /** Per-tenant limits (file size, pages, OCR pages, ...); defaults apply where it returns nothing. */
  readonly limitsFor?: (tenantId: string) => DocumentLimitsInput | Promise<DocumentLimitsInput>;
  /** Told of every stage change, after it happened (failures here are logged by the queue, not hidden). */
  readonly onStage?: (event: IngestionStageEvent) => void | Promise<void>;
  /** Attempts per stage for retryable failures (default 3). Bad input fails at once. */
  readonly attempts?: number;
  /** Backoff base for retries, ms (default 1,000). */
  readonly backoffBaseMs?: number;
}

export interface SubmitDocumentInput {
  readonly tenantId: string;
  readonly documentId: string;
  readonly bytes: Uint8Array;
  readonly filename?: string;
  readonly declaredMime?: string;
  /** Copied onto every chunk (filterable at search time). */
  readonly metadata?: Readonly<Record<string, string | number | boolean>>;
}

export interface SubmittedDocument {
  /** The first stage's job: poll it through `getStatus`, which follows the chain to the last stage. */
  readonly jobId: string;
  readonly detected: DetectedType;
  readonly contentHash: string;
  readonly sizeBytes: number;
}

export interface IngestionStatus {
  readonly jobId: string;
  readonly tenantId: string | undefined;
  readonly stage: IngestionStage;
  /** The API's job state for the whole pipeline. */
  readonly state: 'queued' | 'active' | 'completed' | 'failed' | 'cancelled';
  readonly progress: unknown;
  readonly result: IndexResult | undefined;
  readonly error: { readonly code: string; readonly message: string } | undefined;
  /** Attempts used, summed over the stages. */
  readonly attempts: number;
}

interface ParsePayload {
  readonly tenantId: string;
  readonly documentId: string;
  readonly blobKey: string;
  readonly contentHash: string;
  readonly filename: string | null;
  readonly declaredMime: string | null;
  readonly metadata: Readonly<Record<string, string | number | boolean>>;
}

interface ParseResult {
  readonly indexJobId: string;
  readonly kind: string;
  readonly pageCount: number | null;
  readonly ocrPages: number;
  readonly characters: number;
}

interface IndexPayload extends ParsePayload {
  readonly parsedKey: string;
}

export interface IndexResult {
  readonly documentId: string;
  readonly chunks: {
    readonly added: number;
    readonly kept: number;
    readonly removed: number;
    readonly total: number;
  };
  readonly embedded: number;
  readonly title: string | null;
  readonly kind: string;
}

/**
 * Files in, searchable chunks out, in background jobs:
 * upload → stored (blob) → `document.parse` (type from bytes, text layer, OCR where needed) →
 * `document.index` (chunk → embed only what changed, batched → upsert → delete removed chunks).
 *
 * - `submit` does only cheap checks (size, type from the first bytes) so the API answers at once,
 *   with a 4xx for what can be known then; everything else happens in workers.
 * - Parsing (CPU, OCR) and indexing (embedding calls) are separate jobs: each retries on its own,
 *   and a retry of indexing does not parse again.
 * - Bad input fails the job at once with a typed, non-retryable error; a stage that fails for good
 *   removes whatever it indexed of the document, so no partial index is left behind.
 * - Both stages are idempotent per (document, content hash): re-submitting the same bytes returns the
 *   same job, and re-running an index stage embeds nothing new.
 */
export class IngestionPipeline {
  constructor(private readonly options: IngestionPipelineOptions) {}

  async submit(input: SubmitDocumentInput): Promise<SubmittedDocument> {
    const limits = resolveLimits(await this.options.limitsFor?.(input.tenantId));
    if (input.bytes.byteLength > limits.maxFileBytes) {
      throw new DocumentTooLargeError(
        `the file is ${input.bytes.byteLength} bytes (limit ${limits.maxFileBytes})`,
        {
          bytes: input.bytes.byteLength,
          limit: limits.maxFileBytes,
        },
      );
    }
    const detected = await detectDocumentType(input.bytes, {
      ...(input.filename ? { filename: input.filename } : {}),
      ...(input.declaredMime ? { declaredMime: input.declaredMime } : {}),
    });
    const contentHash = createHash('sha256').update(input.bytes).digest('hex');
    const blobKey = `${input.tenantId}/${input.documentId}/${contentHash}/original`;
    await this.options.blobs.put(blobKey, input.bytes);
    const payload: ParsePayload = {
      tenantId: input.tenantId,
      documentId: input.documentId,
      blobKey,
      contentHash,
      filename: input.filename ?? null,
      declaredMime: input.declaredMime ?? null,
      metadata: input.metadata ?? {},
    };
    // Reported before the enqueue: a fast worker may report `parsing` before enqueue() returns.
    await this.options.onStage?.({ tenantId: input.tenantId, documentId: input.documentId, stage: 'queued' });
    const job = await this.options.queue.enqueue(PARSE_JOB, payload, {
      ...this.jobOptions(input.tenantId),
      idempotencyKey: `${input.documentId}:${contentHash}:parse`,
    });
    return { jobId: job.id, detected, contentHash, sizeBytes: input.bytes.byteLength };
  }

  /** The handlers to register on the queue's workers (`queue.createWorker(pipeline.handlers())`). */
  handlers(): JobHandlers {
    return {
      [PARSE_JOB]: (job: JobContext<ParsePayload>) => this.parse(job),
      [INDEX_JOB]: (job: JobContext<IndexPayload>) => this.index(job),
    };
  }

  /**
   * The state of the whole pipeline started by `submit` (following parse → index), or `undefined`
   * when the job does not exist. Tenant checks are the caller's: compare `tenantId`.
   */
  async getStatus(jobId: string): Promise<IngestionStatus | undefined> {
    const parseJob = await this.options.queue.getJob<ParsePayload, ParseResult>(jobId);
    if (!parseJob || parseJob.name !== PARSE_JOB) return undefined;
    if (parseJob.state !== 'completed' || !parseJob.result) {
      return this.status(
        parseJob,
        parseJob.state === 'failed' ? 'failed' : 'parsing',
        parseJob.attempts,
        undefined,
      );
    }
    const indexJob = await this.options.queue.getJob<IndexPayload, IndexResult>(parseJob.result.indexJobId);
    if (!indexJob) return this.status(parseJob, 'failed', parseJob.attempts, undefined);
    const stage: IngestionStage =
      indexJob.state === 'completed' ? 'ready' : indexJob.state === 'failed' ? 'failed' : 'indexing';
    return this.status(indexJob, stage, parseJob.attempts + indexJob.attempts, jobId);
  }

  /** Removes a document's chunks and stored files (the server calls it on DELETE). */
  async removeDocument(tenantId: string, documentId: string, contentHash?: string): Promise<void> {
    await this.options.retrieval.removeDocument({ tenantId, documentId });
    if (contentHash) {
      const prefix = `${tenantId}/${documentId}/${contentHash}`;
      await this.options.blobs.delete(`${prefix}/original`);
      await this.options.blobs.delete(`${prefix}/parsed.json`);
    }
  }

  private status(
    job: JobRecord,
    stage: IngestionStage,
    attempts: number,
    firstJobId: string | undefined,
  ): IngestionStatus {
    const state: IngestionStatus['state'] =
      stage === 'ready' ? 'completed' : stage === 'failed' ? 'failed' : apiState(job.state);
    return {
      jobId: firstJobId ?? job.id,
      tenantId: job.tenantId,
      stage,
      state,
      progress: job.progress,
      result: stage === 'ready' ? (job.result as IndexResult) : undefined,
      error: job.error ? { code: job.error.code, message: job.error.message } : undefined,
      attempts,
    };
  }

  private async parse(job: JobContext<ParsePayload>): Promise<ParseResult> {
    const { tenantId, documentId } = job.payload;
    return this.runStage(job, async () => {
      await this.options.onStage?.({ tenantId, documentId, stage: 'parsing' });
      await job.updateProgress({ stage: 'parsing' });
      const bytes = await this.options.blobs.get(job.payload.blobKey);
      if (!bytes) throw new DocumentBlobMissingError(job.payload.blobKey);
      const parsed = await parseDocument(bytes, {
        limits: await this.options.limitsFor?.(tenantId),
        ...(this.options.ocr ? { ocr: this.options.ocr } : {}),
        ...(job.payload.filename ? { filename: job.payload.filename } : {}),
        ...(job.payload.declaredMime ? { declaredMime: job.payload.declaredMime } : {}),
        signal: job.signal,
      });
      const parsedKey = `${tenantId}/${documentId}/${job.payload.contentHash}/parsed.json`;
      await this.options.blobs.put(parsedKey, new TextEncoder().encode(JSON.stringify(parsed)));
      const indexJob = await this.options.queue.enqueue(
        INDEX_JOB,
        { ...job.payload, parsedKey } satisfies IndexPayload,
        {
          ...this.jobOptions(tenantId),
          idempotencyKey: `${documentId}:${job.payload.contentHash}:index`,
        },
      );
      await job.updateProgress({
        stage: 'parsed',
        pages: parsed.pageCount ?? null,
        ocrPages: parsed.ocrPages.length,
      });
      return {
        indexJobId: indexJob.id,
        kind: parsed.kind,
        pageCount: parsed.pageCount ?? null,
        ocrPages: parsed.ocrPages.length,
        characters: parsed.text.length,
      };
    });
  }

  private async index(job: JobContext<IndexPayload>): Promise<IndexResult> {
    const { tenantId, documentId } = job.payload;
    return this.runStage(job, async () => {
      await this.options.onStage?.({ tenantId, documentId, stage: 'indexing' });
      await job.updateProgress({ stage: 'indexing' });
      const raw = await this.options.blobs.get(job.payload.parsedKey);
      if (!raw) throw new DocumentBlobMissingError(job.payload.parsedKey);
      const parsed = JSON.parse(new TextDecoder().decode(raw)) as ParsedDocument;
      job.signal.throwIfAborted();
      const ingested = await this.options.retrieval.ingestDocument({
        tenantId,
        documentId,
        text: parsed.text,
        contentType: parsed.textFormat,
        metadata: { ...job.payload.metadata, kind: parsed.kind },
      });
      const result: IndexResult = {
        documentId,
        chunks: ingested.chunks,
        embedded: ingested.embedded,
        title: parsed.title ?? null,
        kind: parsed.kind,
      };
      await job.updateProgress({ stage: 'ready', chunks: ingested.chunks.total });
      await this.options.onStage?.({ tenantId, documentId, stage: 'ready', detail: { ...result } });
      return result;
    });
  }

  /**
   * Runs a stage; when it fails for good (bad input, or the last attempt), removes what the document
   * has in the index and reports `failed` before rethrowing, so the queue dead-letters the job.
   */
  private async runStage<T>(job: JobContext<ParsePayload>, body: () => Promise<T>): Promise<T> {
    try {
      return await body();
    } catch (error) {
      const retryable = AiScaleError.isInstance(error) ? error.isRetryable : true;
      if (!retryable || job.attempt >= job.maxAttempts) {
        const { tenantId, documentId } = job.payload;
        await this.options.retrieval.removeDocument({ tenantId, documentId }).catch(() => undefined);
        await this.options.onStage?.({
          tenantId,
          documentId,
          stage: 'failed',
          error: {
            code: AiScaleError.isInstance(error) ? error.code : 'DOCUMENT_PROCESSING_FAILED',
            message: error instanceof Error ? error.message : String(error),
          },
        });
      }
      throw error;
    }
  }

  private jobOptions(tenantId: string) {
    return {
      tenantId,
      attempts: this.options.attempts ?? 3,
      backoff: { type: 'exponential' as const, baseMs: this.options.backoffBaseMs ?? 1_000, maxMs: 60_000 },
    };
  }
}

function apiState(state: JobState): 'queued' | 'active' | 'completed' | 'failed' | 'cancelled' {
  return state === 'delayed' ? 'queued' : state;
}
