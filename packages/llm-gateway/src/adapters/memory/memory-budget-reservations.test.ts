import { budgetReservationsContract } from '../../testing/budget-reservations-contract';
import { MemoryBudgetReservations } from './memory-budget-reservations';

budgetReservationsContract({ describe, it, beforeAll, afterAll }, 'memory', {
  create: (now) => new MemoryBudgetReservations(now),
});
