export { MemoryUsageLedger } from './memory-usage-ledger';
export { MemoryBudgetReservations } from './memory-budget-reservations';
export { MemoryRateLimiter } from './memory-rate-limiter';
