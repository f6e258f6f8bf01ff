import { z } from 'zod';

export const liveResponse = z.object({ status: z.literal('ok'), role: z.enum(['api', 'worker', 'all']) });

const check = z.object({
  status: z.enum(['up', 'down']),
  latencyMs: z.number(),
  error: z.string().optional(),
});
export const readyResponse = z.object({
  status: z.literal('ok'),
  checks: z
    .record(z.string(), check)
    .describe('One entry per configured dependency (database, redis, queue, vectorStore, …)'),
});
export const notReadyResponse = z.object({
  status: z.literal('unavailable'),
  checks: z.record(z.string(), check),
  error: z.object({ code: z.literal('NOT_READY'), message: z.string() }),
});
