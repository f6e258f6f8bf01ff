export { PersistenceError } from './persistence.error';
export { InvalidDatabaseUrlError } from './invalid-database-url.error';
export { DatabaseUnavailableError } from './database-unavailable.error';
export { MigrationFailedError } from './migration-failed.error';
