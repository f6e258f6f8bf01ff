import { PersistenceError } from './persistence.error';

/**
 * A migration failed. Migrations run in one transaction, so on PostgreSQL none of the batch is
 * applied; on SQLite, DDL is transactional too. Not retryable: the schema or the data needs a look.
 */
export class MigrationFailedError extends PersistenceError {
  readonly code = 'MIGRATION_FAILED';
  readonly category = 'SYSTEM' as const;

  constructor(cause: unknown) {
    super({
      message: `database migration failed: ${cause instanceof Error ? cause.message : String(cause)}`,
      cause,
      isRetryable: false,
    });
  }
}
