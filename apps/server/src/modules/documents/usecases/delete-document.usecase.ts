import { Injectable } from '@nestjs/common';
import { type BlobStore } from '@ai-scale/documents';
import { type LlmResponseCache } from '@ai-scale/cache';
import { type Retrieval } from '@ai-scale/retrieval';
import { NotFoundError } from '../../../common/errors';
import { InjectBlobStore } from '../../../infrastructure/blobs/blob-store.module';
import { InjectResponseCache } from '../../../infrastructure/cache/cache.module';
import { guardDependency } from '../../../infrastructure/readiness/dependency-guard';
import { InjectRetrieval } from '../../../infrastructure/retrieval/retrieval.module';
import { type DocumentStore, InjectDocumentStore } from '../document.store';
import { blobKeyOf } from '../ingest-job';

/**
 * Deletes a document everywhere it left a trace: its chunks leave the index, every cached answer
 * that cited it stops being served, its stored bytes and its record go. The cache is invalidated
 * BEFORE the record goes, so a failure half-way leaves a document that can be deleted again,
 * never a deleted document whose answers are still served.
 */
@Injectable()
export class DeleteDocumentUseCase {
  constructor(
    @InjectDocumentStore() private readonly documents: DocumentStore,
    @InjectRetrieval() private readonly retrieval: Retrieval,
    @InjectResponseCache() private readonly cache: LlmResponseCache,
    @InjectBlobStore() private readonly blobs: BlobStore,
  ) {}

  async execute(
    tenantId: string,
    documentId: string,
  ): Promise<{ documentId: string; deleted: true; chunksRemoved: number }> {
    const document = await guardDependency('database', () => this.documents.get(tenantId, documentId));
    if (!document) throw new NotFoundError('document', documentId);
    await guardDependency('cache', () => this.cache.invalidateDocument(tenantId, documentId));
    const { removed } = await guardDependency('vector store', () =>
      this.retrieval.removeDocument({ tenantId, documentId }),
    );
    await guardDependency('blob store', () => this.blobs.delete(blobKeyOf(tenantId, documentId)));
    await guardDependency('database', () => this.documents.delete(tenantId, documentId));
    return { documentId, deleted: true, chunksRemoved: removed };
  }
}
