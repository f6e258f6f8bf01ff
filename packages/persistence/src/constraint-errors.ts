function driverCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  // TypeORM wraps the driver's error in QueryFailedError.driverError.
  const driverError = (error as { driverError?: unknown }).driverError ?? error;
  const code = (driverError as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Whether a write failed on a unique constraint or primary key (PostgreSQL `23505`, SQLite
 * `SQLITE_CONSTRAINT_UNIQUE` / `_PRIMARYKEY`): e.g. a duplicate chunk, a message ordinal already
 * taken by a concurrent writer, a tool call already recorded.
 */
export function isUniqueViolation(error: unknown): boolean {
  const code = driverCode(error);
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** Whether a write failed on a foreign key (PostgreSQL `23503`, SQLite `SQLITE_CONSTRAINT_FOREIGNKEY`). */
export function isForeignKeyViolation(error: unknown): boolean {
  const code = driverCode(error);
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}
