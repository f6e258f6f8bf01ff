export { RedisBudgetReservations, type RedisBudgetReservationsOptions } from './redis-budget-reservations';
export type { RedisClient } from './redis-script';
export { RedisRateLimiter, type RedisRateLimiterOptions } from './redis-rate-limiter';
