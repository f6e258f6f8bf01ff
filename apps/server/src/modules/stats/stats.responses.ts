import { z } from 'zod';
import { timestampSchema } from '../../common/validation/openapi';

export const statsResponse = z.object({
  generatedAt: timestampSchema,
  latency: z
    .array(
      z.object({ minute: timestampSchema, requests: z.number().int(), p50Ms: z.number(), p99Ms: z.number() }),
    )
    .describe('Request latency of this process, per minute'),
  queue: z.object({
    depth: z.number().int(),
    active: z.number().int(),
    failed: z.number().int(),
    completed: z.number().int(),
  }),
  cache: z.object({ hits: z.number().int(), requests: z.number().int(), hitRate: z.number() }),
  usage: z.array(
    z.object({
      day: z.string(),
      requests: z.number().int(),
      tokens: z.number().int(),
      costUsd: z.number(),
      savedCostUsd: z.number(),
    }),
  ),
});
