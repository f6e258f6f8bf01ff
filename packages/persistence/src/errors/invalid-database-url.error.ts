import { PersistenceError } from './persistence.error';

/**
 * `DATABASE_URL` is not one of `sqlite:<path>`, `sqlite::memory:`, `postgres://…` / `postgresql://…`.
 * The message never contains the password of a PostgreSQL URL.
 */
export class InvalidDatabaseUrlError extends PersistenceError {
  readonly code = 'INVALID_DATABASE_URL';
  readonly category = 'USER' as const;

  constructor(
    readonly reason: string,
    cause?: unknown,
  ) {
    super({ message: `invalid database URL: ${reason}`, cause, details: { reason } });
  }
}
