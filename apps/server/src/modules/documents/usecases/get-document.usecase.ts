import { Injectable } from '@nestjs/common';
import { NotFoundError } from '../../../common/errors';
import { guardDependency } from '../../../infrastructure/readiness/dependency-guard';
import { type DocumentRecord, type DocumentStore, InjectDocumentStore } from '../document.store';

@Injectable()
export class GetDocumentUseCase {
  constructor(@InjectDocumentStore() private readonly documents: DocumentStore) {}

  async execute(tenantId: string, documentId: string): Promise<DocumentRecord> {
    const document = await guardDependency('database', () => this.documents.get(tenantId, documentId));
    if (!document) throw new NotFoundError('document', documentId);
    return document;
  }

  list(tenantId: string, page: { limit: number; offset: number }): Promise<DocumentRecord[]> {
    return guardDependency('database', () => this.documents.list(tenantId, page));
  }
}
