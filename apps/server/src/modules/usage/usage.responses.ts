import { z } from 'zod';
import { timestampSchema } from '../../common/validation/openapi';

const totals = {
  requests: z.number().int(),
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  costUsd: z.number(),
  savedTokens: z.number().int().describe('Tokens not spent thanks to the answer cache'),
  savedCostUsd: z.number(),
};

const cachedTokens = z.number().int().describe('Prompt tokens the provider served from its prompt cache');

export const usageResponse = z.object({
  tenantId: z.string(),
  from: timestampSchema,
  to: timestampSchema,
  total: z.object(totals),
  byDay: z.array(z.object({ day: z.string().describe('YYYY-MM-DD (UTC)'), ...totals, cachedTokens })),
  byModel: z.array(z.object({ model: z.string(), ...totals, cachedTokens })),
  budget: z.object({ monthlyUsd: z.number().nullable(), spentThisMonthUsd: z.number() }),
});
