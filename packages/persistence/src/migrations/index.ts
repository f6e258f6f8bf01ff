import { InitialSchema1764115200000 } from './1764115200000-initial-schema';
import { UsageSourceAndTokenLimits1764979200000 } from './1764979200000-usage-source-and-token-limits';
import { ApiKeyMonthlyBudget1765065600000 } from './1765065600000-api-key-monthly-budget';

/**
 * Every migration, oldest first. They use only TypeORM's driver-agnostic QueryRunner API (tables,
 * indices, unique constraints, foreign keys), so each one runs unchanged on SQLite and PostgreSQL.
 * Add a migration as a new class here; never edit one that has shipped.
 */
export const MIGRATIONS = [
  InitialSchema1764115200000,
  UsageSourceAndTokenLimits1764979200000,
  ApiKeyMonthlyBudget1765065600000,
] as const;

export {
  InitialSchema1764115200000,
  UsageSourceAndTokenLimits1764979200000,
  ApiKeyMonthlyBudget1765065600000,
};
