export { PersistenceError } from './persistence.error';
export { InvalidDatabaseUrlError } from './invalid-database-url.error';
export { DatabaseUnavailableError } from './database-unavailable.error';
export { MigrationFailedError } from './migration-failed.error';
export { InvalidDatabaseOptionsError } from './invalid-database-options.error';
