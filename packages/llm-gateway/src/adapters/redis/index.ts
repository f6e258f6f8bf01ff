export { RedisBudgetReservations, type RedisBudgetReservationsOptions } from './redis-budget-reservations';
export type { RedisClient } from './redis-script';
