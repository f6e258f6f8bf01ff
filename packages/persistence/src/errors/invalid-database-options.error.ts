import { PersistenceError } from './persistence.error';

/** `DatabaseOptions` other than the URL are out of range (e.g. `poolSize` below 2); `issues` names each. */
export class InvalidDatabaseOptionsError extends PersistenceError {
  readonly code = 'INVALID_DATABASE_OPTIONS';
  readonly category = 'USER' as const;

  constructor(readonly issues: readonly string[]) {
    super({ message: `invalid database options: ${issues.join('; ')}`, details: { issues } });
  }
}
