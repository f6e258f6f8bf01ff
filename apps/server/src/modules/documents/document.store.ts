import { Inject } from '@nestjs/common';

export type DocumentStatus = 'queued' | 'processing' | 'ready' | 'failed';

export interface DocumentRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly title: string | null;
  readonly status: DocumentStatus;
  readonly contentType: string | null;
  readonly sizeBytes: number;
  readonly chunkCount: number;
  readonly metadata: Readonly<Record<string, string | number | boolean>>;
  readonly jobId: string | null;
  readonly error: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export type NewDocument = Pick<
  DocumentRecord,
  'tenantId' | 'title' | 'contentType' | 'sizeBytes' | 'metadata'
> & {
  readonly id?: string;
};

/** Documents a tenant owns. Every read and write is scoped by tenant: another tenant's id reads as missing. */
export interface DocumentStore {
  create(document: NewDocument): Promise<DocumentRecord>;
  get(tenantId: string, id: string): Promise<DocumentRecord | undefined>;
  list(tenantId: string, page: { limit: number; offset: number }): Promise<DocumentRecord[]>;
  update(
    tenantId: string,
    id: string,
    patch: Partial<
      Pick<DocumentRecord, 'status' | 'chunkCount' | 'jobId' | 'error' | 'contentType' | 'title'>
    >,
  ): Promise<DocumentRecord | undefined>;
  delete(tenantId: string, id: string): Promise<boolean>;
  /** Finds a document by a metadata value (the demo corpus uses `source` to ingest each file once). */
  findByMetadata(tenantId: string, key: string, value: string): Promise<DocumentRecord | undefined>;
}

export const DOCUMENT_STORE = Symbol('DOCUMENT_STORE');
export const InjectDocumentStore = (): PropertyDecorator & ParameterDecorator => Inject(DOCUMENT_STORE);
