export type * from './llm-provider';
export type * from './llm-gateway';
export type * from './response-cache-hook';
export type {
  CacheKind,
  UsageSource,
  UsageEntry,
  UsageTotals,
  UsagePeriod,
  UsageQuery,
  UsageBreakdownRow,
  UsageLedger,
} from './usage-ledger';
export { EMPTY_TOTALS, periodRange } from './usage-ledger';
export type {
  BudgetLimit,
  BudgetReservations,
  BudgetUsage,
  ReservationOutcome,
  ReservationRequest,
  SettleRequest,
} from './budget-reservations';
export { nanoUsdCeil, nanoUsdFloor, usdFromNano } from './budget-reservations';
export type { BucketLimit, RateLimiter } from './rate-limiter';
