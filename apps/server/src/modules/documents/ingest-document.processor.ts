import { Injectable } from '@nestjs/common';
import { type BlobStore, parseDocument } from '@ai-scale/documents';
import { type JobContext, NonRetryableJobError } from '@ai-scale/queue';
import { type Retrieval } from '@ai-scale/retrieval';
import { AiScaleError } from '@ai-scale/errors';
import { InjectBlobStore } from '../../infrastructure/blobs/blob-store.module';
import { InjectRetrieval } from '../../infrastructure/retrieval/retrieval.module';
import { type JobProcessor } from '../../worker/job-processor';
import { type DocumentStore, InjectDocumentStore } from './document.store';
import { INGEST_DOCUMENT_JOB, type IngestDocumentJob } from './ingest-job';

export interface IngestDocumentResult {
  readonly documentId: string;
  readonly chunks: number;
  readonly embedded: number;
}

/**
 * Parses the stored bytes, chunks and embeds the text into the tenant's index, and marks the
 * document ready. Idempotent (re-running re-embeds only changed chunks). A document deleted while
 * its job ran has its chunks removed again, so a delete always wins.
 */
@Injectable()
export class IngestDocumentProcessor implements JobProcessor<IngestDocumentJob, IngestDocumentResult> {
  readonly jobName = INGEST_DOCUMENT_JOB;

  constructor(
    @InjectDocumentStore() private readonly documents: DocumentStore,
    @InjectBlobStore() private readonly blobs: BlobStore,
    @InjectRetrieval() private readonly retrieval: Retrieval,
  ) {}

  async process(job: JobContext<IngestDocumentJob>): Promise<IngestDocumentResult> {
    const { tenantId, documentId } = job.payload;
    if (!(await this.documents.get(tenantId, documentId))) {
      throw new NonRetryableJobError(`document ${documentId} was deleted before ingestion`);
    }
    await this.documents.update(tenantId, documentId, { status: 'processing' });
    try {
      const bytes = await this.blobs.get(job.payload.blobKey);
      if (!bytes) throw new NonRetryableJobError(`the bytes of document ${documentId} are gone`);
      await job.updateProgress({ stage: 'parsing' });
      const parsed = await parseDocument(bytes, {
        filename: job.payload.filename,
        declaredMime: job.payload.declaredMime,
        signal: job.signal,
      });
      await job.updateProgress({ stage: 'embedding' });
      const result = await this.retrieval.ingestDocument({
        tenantId,
        documentId,
        text: parsed.text,
        metadata: job.payload.metadata,
        contentType: parsed.textFormat,
      });
      if (!(await this.documents.get(tenantId, documentId))) {
        await this.retrieval.removeDocument({ tenantId, documentId });
        throw new NonRetryableJobError(`document ${documentId} was deleted during ingestion`);
      }
      await this.documents.update(tenantId, documentId, {
        status: 'ready',
        chunkCount: result.chunks.total,
        error: null,
        ...(parsed.title && !job.payload.filename ? { title: parsed.title } : {}),
      });
      return { documentId, chunks: result.chunks.total, embedded: result.embedded };
    } catch (error) {
      const final = job.attempt >= job.maxAttempts || (AiScaleError.isInstance(error) && !error.isRetryable);
      if (final) {
        await this.documents.update(tenantId, documentId, {
          status: 'failed',
          error: error instanceof Error ? error.message : String(error),
        });
      }
      throw error;
    }
  }
}
