/** The `UsageLedger` port: tokens and cost per tenant and request, the source of budgets and billing. */

export type CacheKind = 'exact' | 'semantic';

export type UsageSource = 'provider' | 'counted';

export interface UsageEntry {
  readonly tenantId: string;
  readonly requestId: string;
  /** When the call finished; periods are computed in UTC. */
  readonly at: Date;
  readonly provider: string;
  readonly model: string;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly cachedTokens: number;
  /** Prompt tokens written to the provider's prompt cache (billed at the cache-write price). Default 0. */
  readonly cacheWriteTokens?: number;
  /**
   * Where the token counts come from: `provider` (its reported usage) or `counted` (the gateway
   * counted the prompt and what was generated: a stream that was aborted, broke, or had no usage).
   * Default `provider`.
   */
  readonly usageSource?: UsageSource;
  /** What the call cost (0 for a cache hit). */
  readonly costUsd: number;
  /** Set when a response cache answered instead of a provider. */
  readonly cacheKind: CacheKind | null;
  /** Tokens a cache hit avoided sending and generating (0 when no cache answered). */
  readonly savedTokens: number;
  /** What a cache hit avoided paying (0 when no cache answered). */
  readonly savedCostUsd: number;
}

export interface UsageTotals {
  readonly requests: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly cachedTokens: number;
  readonly costUsd: number;
  readonly savedTokens: number;
  readonly savedCostUsd: number;
}

export type UsagePeriod = 'day' | 'month';

export interface UsageQuery {
  readonly tenantId?: string;
  /** Inclusive lower bound on `at`. */
  readonly from: Date;
  /** Exclusive upper bound on `at`. */
  readonly to: Date;
  readonly groupBy: 'day' | 'model';
}

export interface UsageBreakdownRow extends UsageTotals {
  /** `YYYY-MM-DD` (UTC) when grouped by day, the model id when grouped by model. */
  readonly key: string;
}

/**
 * Guarantees (checked by `usageLedgerContract`):
 * - `record` is durable once it resolves (for the adapter's storage) and never merges two entries.
 * - `totals(tenant, 'day' | 'month', at)` sums the entries of that tenant whose `at` falls in the UTC
 *   day or month containing `at` (default: now); another tenant's entries never count.
 * - `query` groups the entries in `[from, to)` by UTC day or by model, sorted by key ascending.
 * - Sums are exact for token counts; cost sums are exact to 1e-9 USD.
 */
export interface UsageLedger {
  record(entry: UsageEntry): Promise<void>;
  totals(tenantId: string, period: UsagePeriod, at?: Date): Promise<UsageTotals>;
  query(query: UsageQuery): Promise<readonly UsageBreakdownRow[]>;
}

export const EMPTY_TOTALS: UsageTotals = Object.freeze({
  requests: 0,
  promptTokens: 0,
  completionTokens: 0,
  cachedTokens: 0,
  costUsd: 0,
  savedTokens: 0,
  savedCostUsd: 0,
});

/** The UTC `[from, to)` range of the day or month containing `at`. */
export function periodRange(period: UsagePeriod, at: Date): { from: Date; to: Date } {
  const year = at.getUTCFullYear();
  const month = at.getUTCMonth();
  if (period === 'month') {
    return { from: new Date(Date.UTC(year, month, 1)), to: new Date(Date.UTC(year, month + 1, 1)) };
  }
  const day = at.getUTCDate();
  return { from: new Date(Date.UTC(year, month, day)), to: new Date(Date.UTC(year, month, day + 1)) };
}
