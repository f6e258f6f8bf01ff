import { Injectable, Logger } from '@nestjs/common';
import { type BlobStore, DocumentBlobMissingError, type OcrEngine, parseDocument } from '@ai-scale/documents';
import { type JobContext } from '@ai-scale/queue';
import { type Retrieval } from '@ai-scale/retrieval';
import { AiScaleError } from '@ai-scale/errors';
import { InjectBlobStore } from '../../infrastructure/blobs/blob-store.module';
import { InjectOcrEngine } from '../../infrastructure/ocr/ocr.module';
import { InjectRetrieval } from '../../infrastructure/retrieval/retrieval.module';
import { type JobProcessor } from '../../worker/job-processor';
import { IndexMaintenanceScheduler } from '../maintenance/index-maintenance.scheduler';
import { type DocumentStore, InjectDocumentStore } from './document.store';
import { DocumentDeletedError } from './document-deleted.error';
import { DocumentLimitsPolicy } from './document-limits';
import { INGEST_DOCUMENT_JOB, type IngestDocumentJob } from './ingest-job';

export interface IngestDocumentResult {
  readonly documentId: string;
  readonly chunks: number;
  readonly embedded: number;
  readonly kind: string;
  readonly pages: number | null;
  readonly ocrPages: number;
}

/**
 * One job for the whole ingestion, so `GET /v1/jobs/:id` completes only once the document is
 * searchable: parse the stored bytes (type from the bytes, OCR of images and scanned pages, the
 * tenant's limits) → chunk and embed into the tenant's index → mark the document ready → ask for a
 * debounced index maintenance.
 *
 * - Bad input fails at once with the typed, non-retryable error of `@ai-scale/documents`; its code
 *   is the job's `error.code` and the document's `errorCode`.
 * - A failure for good (bad input or the last attempt) removes whatever the document has in the
 *   index: no partial index is left behind.
 * - A delete always wins: a document deleted before or during its job has its chunks removed again
 *   and the job ends as failed (DOCUMENT_DELETED).
 * - Idempotent: a retry re-embeds only changed chunks.
 */
@Injectable()
export class IngestDocumentProcessor implements JobProcessor<IngestDocumentJob, IngestDocumentResult> {
  readonly jobName = INGEST_DOCUMENT_JOB;
  private readonly logger = new Logger('documents');

  constructor(
    @InjectDocumentStore() private readonly documents: DocumentStore,
    @InjectBlobStore() private readonly blobs: BlobStore,
    @InjectRetrieval() private readonly retrieval: Retrieval,
    @InjectOcrEngine() private readonly ocr: OcrEngine | undefined,
    private readonly limits: DocumentLimitsPolicy,
    private readonly maintenance: IndexMaintenanceScheduler,
  ) {}

  async process(job: JobContext<IngestDocumentJob>): Promise<IngestDocumentResult> {
    const { tenantId, documentId } = job.payload;
    if (!(await this.documents.get(tenantId, documentId))) {
      throw new DocumentDeletedError(documentId, 'before');
    }
    await this.documents.update(tenantId, documentId, { status: 'processing' });
    // Numbered reports: the SSE id of each progress event, so GET /v1/jobs/{id}/events resumes with Last-Event-ID.
    let seq = 0;
    const report = (stage: string, percent: number, extra: Record<string, number | null> = {}) =>
      job.updateProgress({ stage, percent, seq: ++seq, ...extra });
    try {
      const bytes = await this.blobs.get(job.payload.blobKey);
      if (!bytes) throw new DocumentBlobMissingError(job.payload.blobKey);
      await report('parsing', 5);
      const parsed = await parseDocument(bytes, {
        filename: job.payload.filename,
        declaredMime: job.payload.declaredMime,
        limits: this.limits.limitsFor(tenantId),
        ...(this.ocr ? { ocr: this.ocr } : {}),
        signal: job.signal,
        // OCR page n of m, live, from 5 to 40 %.
        onOcrPage: ({ done, total }) =>
          report('ocr', 5 + Math.floor((35 * done) / Math.max(1, total)), { current: done, total }),
      });
      if (!(await this.documents.get(tenantId, documentId)))
        throw new DocumentDeletedError(documentId, 'during');
      job.signal.throwIfAborted();
      await report('embedding', 50, { pages: parsed.pageCount ?? null, ocrPages: parsed.ocrPages.length });
      const result = await this.retrieval.ingestDocument(
        {
          tenantId,
          documentId,
          text: parsed.text,
          metadata: { ...job.payload.metadata, kind: parsed.kind },
          contentType: parsed.textFormat,
        },
        {
          signal: job.signal,
          // Embedding chunk n of m, from 50 to 90 %.
          onProgress: ({ embedded, total }) =>
            report('embedding', 50 + Math.floor((40 * embedded) / Math.max(1, total)), {
              current: embedded,
              total,
            }),
        },
      );
      if (!(await this.documents.get(tenantId, documentId)))
        throw new DocumentDeletedError(documentId, 'during');
      job.signal.throwIfAborted();
      await report('indexing', 90, { current: result.chunks.total, total: result.chunks.total });
      await this.documents.update(tenantId, documentId, {
        status: 'ready',
        chunkCount: result.chunks.total,
        error: null,
        ...(parsed.title && !job.payload.filename ? { title: parsed.title } : {}),
      });
      await this.maintenance.requestOptimize();
      return {
        documentId,
        chunks: result.chunks.total,
        embedded: result.embedded,
        kind: parsed.kind,
        pages: parsed.pageCount ?? null,
        ocrPages: parsed.ocrPages.length,
      };
    } catch (caught) {
      // A delete during the job (its bytes or row gone under it) is the reason, whatever broke.
      const error = (await this.wasDeleted(tenantId, documentId))
        ? new DocumentDeletedError(documentId, 'during')
        : caught;
      // A cancelled job is never retried: the document fails for good, with no partial index.
      const cancelled =
        job.signal.aborted &&
        AiScaleError.isInstance(job.signal.reason) &&
        job.signal.reason.code === 'JOB_CANCELLED';
      const final =
        cancelled || job.attempt >= job.maxAttempts || (AiScaleError.isInstance(error) && !error.isRetryable);
      if (cancelled) {
        await this.failForGood(tenantId, documentId, job.signal.reason);
        throw error;
      }
      if (final) await this.failForGood(tenantId, documentId, error);
      throw error;
    }
  }

  private async wasDeleted(tenantId: string, documentId: string): Promise<boolean> {
    return (await this.documents.get(tenantId, documentId).catch(() => 'unknown')) === undefined;
  }

  /** No partial index: the document's chunks go, then its row says why it failed. */
  private async failForGood(tenantId: string, documentId: string, error: unknown): Promise<void> {
    await this.retrieval.removeDocument({ tenantId, documentId }).catch((cleanup: unknown) => {
      this.logger.error(`could not remove the chunks of failed document ${documentId}: ${String(cleanup)}`);
    });
    const code = AiScaleError.isInstance(error) ? error.code : 'DOCUMENT_PROCESSING_FAILED';
    const message = error instanceof Error ? error.message : String(error);
    await this.documents.update(tenantId, documentId, { status: 'failed', error: `${code}: ${message}` });
  }
}
