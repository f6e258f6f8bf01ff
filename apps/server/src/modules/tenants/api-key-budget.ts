import { type RequestBudget } from '@ai-scale/llm-gateway';
import { type AuthenticatedTenant } from './tenant.store';

/**
 * The request budgets an API key brings to its model calls: its own monthly budget (UTC calendar
 * month) when it has one, none otherwise. The gateway reserves each call's worst case against it
 * beside the tenant's day and month, so a key over its budget is refused (402) while the tenant's
 * other keys keep working. The counter is keyed by key id and month, so a new month starts at 0.
 */
export function apiKeyBudgets(
  tenant: Pick<AuthenticatedTenant, 'apiKeyId' | 'apiKeyMonthlyBudgetUsd'>,
  now: Date = new Date(),
): RequestBudget[] {
  if (tenant.apiKeyMonthlyBudgetUsd === null) return [];
  const month = now.toISOString().slice(0, 7);
  return [
    {
      key: `key:${tenant.apiKeyId}:month:${month}`,
      limitUsd: tenant.apiKeyMonthlyBudgetUsd,
      expiresAt: Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1),
    },
  ];
}
