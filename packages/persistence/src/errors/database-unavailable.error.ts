import { PersistenceError } from './persistence.error';

/** The database could not be opened or reached (connection refused, bad credentials, unwritable file). */
export class DatabaseUnavailableError extends PersistenceError {
  readonly code = 'DATABASE_UNAVAILABLE';
  readonly category = 'SYSTEM' as const;

  constructor(
    readonly target: string,
    cause?: unknown,
  ) {
    super({
      message: `database ${target} is unavailable: ${cause instanceof Error ? cause.message : String(cause)}`,
      cause,
      details: { target },
    });
  }
}
