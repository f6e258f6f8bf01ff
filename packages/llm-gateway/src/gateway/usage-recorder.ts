import type { GatewayChatRequest } from '../ports/llm-gateway';
import type { TokenUsage } from '../ports/llm-provider';
import type { CacheKind, UsageLedger, UsageSource } from '../ports/usage-ledger';

export interface RecordedUsage {
  readonly provider: string;
  readonly model: string;
  readonly usage: TokenUsage;
  readonly costUsd: number;
  readonly cacheKind: CacheKind | null;
  readonly savedTokens: number;
  readonly savedCostUsd: number;
  readonly usageSource?: UsageSource;
}

/** Writes one ledger entry per answered call; a failing ledger is reported, never thrown at the caller. */
export class UsageRecorder {
  constructor(
    private readonly ledger: UsageLedger | undefined,
    private readonly now: () => number,
    private readonly onError: ((error: unknown, where: 'ledger') => void) | undefined,
  ) {}

  async record(request: GatewayChatRequest, entry: RecordedUsage): Promise<void> {
    if (!this.ledger) return;
    try {
      await this.ledger.record({
        tenantId: request.tenantId,
        requestId: request.requestId,
        at: new Date(this.now()),
        provider: entry.provider,
        model: entry.model,
        promptTokens: entry.usage.promptTokens,
        completionTokens: entry.usage.completionTokens,
        cachedTokens: entry.usage.cachedTokens,
        cacheWriteTokens: entry.usage.cacheWriteTokens ?? 0,
        usageSource: entry.usageSource ?? 'provider',
        costUsd: entry.costUsd,
        cacheKind: entry.cacheKind,
        savedTokens: entry.savedTokens,
        savedCostUsd: entry.savedCostUsd,
      });
    } catch (error) {
      this.onError?.(error, 'ledger');
    }
  }
}
