import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type BlobStore, detectDocumentType, DocumentTooLargeError } from '@ai-scale/documents';
import { type JobQueue } from '@ai-scale/queue';
import { InjectBlobStore } from '../../../infrastructure/blobs/blob-store.module';
import { InjectJobQueue } from '../../../infrastructure/queue/queue.module';
import { guardDependency } from '../../../infrastructure/readiness/dependency-guard';
import { type DocumentStore, InjectDocumentStore } from '../document.store';
import { DocumentLimitsPolicy } from '../document-limits';
import { blobKeyOf, INGEST_DOCUMENT_JOB, type IngestDocumentJob } from '../ingest-job';

export interface CreateDocumentInput {
  readonly tenantId: string;
  readonly bytes: Uint8Array;
  readonly title?: string;
  readonly filename?: string;
  readonly declaredMime?: string;
  readonly metadata: Record<string, string | number | boolean>;
}

/**
 * Accepts a document: checks its size against the tenant's limit (413) and its type from the bytes
 * (an unsupported file is refused now, not later in a job: 415), stores the bytes, records the document and enqueues its ingestion. The slow
 * part (parsing, chunking, embedding) runs in a worker: the caller gets `{documentId, jobId}` at once.
 */
@Injectable()
export class CreateDocumentUseCase {
  constructor(
    @InjectDocumentStore() private readonly documents: DocumentStore,
    @InjectBlobStore() private readonly blobs: BlobStore,
    @InjectJobQueue() private readonly queue: JobQueue,
    private readonly limits: DocumentLimitsPolicy,
  ) {}

  async execute(input: CreateDocumentInput): Promise<{ documentId: string; jobId: string }> {
    const { maxFileBytes } = this.limits.limitsFor(input.tenantId);
    if (input.bytes.byteLength > maxFileBytes) {
      throw new DocumentTooLargeError(`the file is ${input.bytes.byteLength} bytes (limit ${maxFileBytes})`, {
        bytes: input.bytes.byteLength,
        limit: maxFileBytes,
      });
    }
    const detected = await detectDocumentType(input.bytes, {
      filename: input.filename,
      declaredMime: input.declaredMime,
    });
    const documentId = randomUUID();
    const blobKey = blobKeyOf(input.tenantId, documentId);
    await guardDependency('blob store', () => this.blobs.put(blobKey, input.bytes));
    await guardDependency('database', () =>
      this.documents.create({
        id: documentId,
        tenantId: input.tenantId,
        title: input.title ?? input.filename ?? null,
        contentType: detected.mime,
        sizeBytes: input.bytes.byteLength,
        metadata: input.metadata,
      }),
    );
    const payload: IngestDocumentJob = {
      tenantId: input.tenantId,
      documentId,
      blobKey,
      ...(input.filename ? { filename: input.filename } : {}),
      ...(input.declaredMime ? { declaredMime: input.declaredMime } : {}),
      metadata: input.metadata,
    };
    const job = await guardDependency('queue', () =>
      this.queue.enqueue(INGEST_DOCUMENT_JOB, payload, {
        tenantId: input.tenantId,
        idempotencyKey: `ingest:${documentId}`,
        attempts: 3,
        backoff: { type: 'exponential', baseMs: 500 },
      }),
    );
    await guardDependency('database', () =>
      this.documents.update(input.tenantId, documentId, { jobId: job.id }),
    );
    return { documentId, jobId: job.id };
  }
}
