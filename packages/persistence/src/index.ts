/**
 * `@ai-scale/persistence`: the relational state of ai-scale (tenants, API keys, documents and
 * chunks, conversations, usage, agent runs) as TypeORM entities, their migrations, and a
 * `DataSource` built from `DATABASE_URL`: SQLite (better-sqlite3) embedded, PostgreSQL in production.
 * The schema only changes through migrations (never `synchronize`).
 */
import 'reflect-metadata';

export {
  buildDataSourceOptions,
  createDataSource,
  openDatabase,
  runMigrations,
  pingDatabase,
  type DatabaseOptions,
} from './data-source';
export { parseDatabaseUrl, redactDatabaseUrl, type DatabaseTarget } from './database-url';
export {
  generateApiKey,
  hashApiKey,
  apiKeyMatches,
  API_KEY_PREFIX,
  API_KEY_DISPLAY_PREFIX_LENGTH,
  type GeneratedApiKey,
} from './api-keys';
export { updateAgentRunIfVersion, type AgentRunChanges } from './agent-runs';
export { SnakeCaseNamingStrategy } from './naming-strategy';
export * from './entities';
export { MIGRATIONS, InitialSchema1764115200000 } from './migrations';
export {
  PersistenceError,
  InvalidDatabaseUrlError,
  InvalidDatabaseOptionsError,
  DatabaseUnavailableError,
  MigrationFailedError,
} from './errors';
export { isUniqueViolation, isForeignKeyViolation } from './constraint-errors';
