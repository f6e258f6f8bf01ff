import { z } from 'zod';
import { timestampSchema } from '../../common/validation/openapi';

const limits = {
  monthlyBudgetUsd: z.number().nullable().describe('null: unlimited (LLM_TENANT_BUDGET_USD applies)'),
  rateLimitPerMinute: z.number().int().nullable().describe('null: RATE_LIMIT_PER_MINUTE applies'),
  tokensPerMinute: z.number().int().nullable().describe('null: LLM_TENANT_TOKENS_PER_MINUTE applies'),
};
const keyBudget = z
  .number()
  .nullable()
  .describe("The key's own monthly LLM budget (USD), besides its tenant's; null: none");
const apiKey = z.string().describe('The new API key, shown only in this response');

export const createdTenantResponse = z.object({
  tenantId: z.string(),
  name: z.string(),
  apiKey,
  keyId: z.string(),
});
export const tenantResponse = z.object({
  id: z.string(),
  name: z.string(),
  ...limits,
  createdAt: timestampSchema,
  keys: z.array(
    z.object({
      id: z.string(),
      tenantId: z.string(),
      prefix: z.string().describe('The first characters of the key, to recognise it'),
      createdAt: timestampSchema,
      revokedAt: timestampSchema.nullable(),
      monthlyBudgetUsd: keyBudget,
    }),
  ),
});
export const limitsResponse = tenantResponse.omit({ keys: true });
export const rotatedKeyResponse = z.object({
  tenantId: z.string(),
  keyId: z.string(),
  apiKey,
  monthlyBudgetUsd: keyBudget,
  revoked: z.array(z.string()).describe('Ids of the keys revoked with `revokeExisting`'),
});
export const revokedKeyResponse = z.object({
  tenantId: z.string(),
  keyId: z.string(),
  revoked: z.literal(true),
});
export const apiKeyResponse = z.object({
  id: z.string(),
  tenantId: z.string(),
  prefix: z.string(),
  createdAt: timestampSchema,
  revokedAt: timestampSchema.nullable(),
  monthlyBudgetUsd: keyBudget,
});
