import { z } from 'zod';
import { timestampSchema } from '../../common/validation/openapi';

export const documentAcceptedResponse = z.object({
  documentId: z.string(),
  jobId: z.string().describe('The ingestion job: GET /v1/jobs/{id} or its events'),
});

export const documentResponse = z.object({
  id: z.string(),
  title: z.string().nullable(),
  status: z.enum(['queued', 'processing', 'ready', 'failed']),
  contentType: z.string().nullable(),
  sizeBytes: z.number().int(),
  chunkCount: z.number().int(),
  metadata: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  jobId: z.string().nullable(),
  error: z.string().nullable(),
  errorCode: z
    .string()
    .nullable()
    .describe('The typed error code of a failed ingestion (e.g. DOCUMENT_ENCRYPTED)'),
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
});

export const documentListResponse = z.object({ documents: z.array(documentResponse) });

export const documentDeletedResponse = z.object({
  documentId: z.string(),
  deleted: z.literal(true),
  chunksRemoved: z.number().int(),
});
