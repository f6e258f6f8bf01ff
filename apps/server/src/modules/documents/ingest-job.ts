/** The payload of an `ingest-document` job. Plain JSON: it crosses Redis in production. */
export interface IngestDocumentJob {
  readonly tenantId: string;
  readonly documentId: string;
  readonly blobKey: string;
  readonly filename?: string;
  readonly declaredMime?: string;
  readonly metadata: Record<string, string | number | boolean>;
}

export const INGEST_DOCUMENT_JOB = 'ingest-document';

export const blobKeyOf = (tenantId: string, documentId: string): string => `${tenantId}/${documentId}`;
