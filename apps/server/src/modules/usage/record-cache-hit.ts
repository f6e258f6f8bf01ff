import { randomUUID } from 'node:crypto';
import { type ResponseCacheHit } from '@ai-scale/cache';
import { type UsageLedger } from '@ai-scale/llm-gateway';

/** A cache hit in the usage ledger: nothing billed, the tokens and cost the original call spent saved. */
export async function recordCacheHit(
  ledger: UsageLedger,
  tenantId: string,
  hit: ResponseCacheHit,
  requestId: string = randomUUID(),
): Promise<void> {
  await ledger.record({
    tenantId,
    requestId,
    at: new Date(),
    provider: 'cache',
    model: `cache:${hit.kind}`,
    promptTokens: 0,
    completionTokens: 0,
    cachedTokens: 0,
    costUsd: 0,
    cacheKind: hit.kind,
    savedTokens: hit.tokens,
    savedCostUsd: hit.costUsd,
  });
}
