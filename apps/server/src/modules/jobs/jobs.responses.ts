import { z } from 'zod';
import { timestampSchema } from '../../common/validation/openapi';

export const jobAcceptedResponse = z.object({
  jobId: z.string().describe('Poll GET /v1/jobs/{id} or stream GET /v1/jobs/{id}/events'),
});

export const jobResponse = z.object({
  id: z.string(),
  type: z.string().describe('The job name, e.g. chat-answer, ingest-document'),
  state: z.enum(['queued', 'active', 'completed', 'failed', 'cancelled']),
  progress: z.unknown(),
  result: z.unknown().describe('The job result once completed (a chat answer for chat-answer), else null'),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  attempts: z.number().int(),
  createdAt: timestampSchema,
  finishedAt: timestampSchema.nullable(),
});

const queueEvent = (type: string, extra: z.ZodRawShape = {}) =>
  z.object({
    type: z.literal(type),
    jobId: z.string(),
    timestamp: z.number().describe('epoch ms'),
    ...extra,
  });

export const jobStreamEvents = {
  snapshot: {
    description:
      'The job as GET /v1/jobs/{id} shows it: first event, and again after completed/failed (last event)',
    data: jobResponse,
  },
  queued: { description: 'Queued (again)', data: queueEvent('queued') },
  delayed: {
    description: 'Waiting for a retry backoff',
    data: queueEvent('delayed', { delayMs: z.number() }),
  },
  active: { description: 'An attempt started', data: queueEvent('active') },
  progress: {
    description:
      'Progress reported by the worker; ingestion: {stage: parsing|ocr|chunking|embedding|indexing, percent, current, total, seq} with SSE id = seq (resume with Last-Event-ID)',
    data: queueEvent('progress', { progress: z.unknown() }),
  },
  retrying: {
    description: 'An attempt failed and another is scheduled after delayMs',
    data: queueEvent('retrying', { delayMs: z.number() }),
  },
  completed: {
    description: 'Completed (a snapshot follows)',
    data: queueEvent('completed', { result: z.unknown() }),
  },
  cancelled: {
    description: 'Cancelled (a snapshot follows)',
    data: queueEvent('cancelled'),
  },
  failed: {
    description: 'Failed for good (a snapshot follows)',
    data: queueEvent('failed', { error: z.object({ code: z.string(), message: z.string() }).loose() }),
  },
};
