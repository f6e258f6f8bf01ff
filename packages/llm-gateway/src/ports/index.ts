export type * from './llm-provider';
export type * from './llm-gateway';
export type * from './response-cache-hook';
export type {
  CacheKind,
  UsageEntry,
  UsageTotals,
  UsagePeriod,
  UsageQuery,
  UsageBreakdownRow,
  UsageLedger,
} from './usage-ledger';
export { EMPTY_TOTALS, periodRange } from './usage-ledger';
