import { DataSource, type DataSourceOptions } from 'typeorm';
import { z } from 'zod';
import { parseDatabaseUrl, redactDatabaseUrl, type DatabaseTarget } from './database-url';
import { ENTITIES } from './entities';
import { DatabaseUnavailableError, InvalidDatabaseOptionsError, MigrationFailedError } from './errors';
import { MIGRATIONS } from './migrations';
import { SnakeCaseNamingStrategy } from './naming-strategy';

/** How to reach the database. The app builds this from `DATABASE_URL` (packages never read the environment). */
export interface DatabaseOptions {
  /** `sqlite:./data/ai-scale.db`, `sqlite::memory:` or `postgres://user:pass@host:5432/db`. */
  readonly url: string;
  /** Log every SQL statement (TypeORM's console logger). Default false. */
  readonly logging?: boolean;
  /** PostgreSQL connections in the pool (default 10, at least 2: migrations hold one for their lock). */
  readonly poolSize?: number;
  /** SQLite: how long a write waits for another writer's lock before SQLITE_BUSY. Default 5000 ms. */
  readonly busyTimeoutMs?: number;
  /** PostgreSQL `application_name`, shown in `pg_stat_activity`. Default `ai-scale`. */
  readonly applicationName?: string;
}

const DatabaseOptionsSchema = z.object({
  url: z.string(),
  logging: z.boolean().default(false),
  poolSize: z.number().int().min(2).max(1000).default(10),
  busyTimeoutMs: z.number().int().min(0).default(5000),
  applicationName: z.string().min(1).default('ai-scale'),
});

/** Held by the connection running migrations, so replicas starting together migrate one at a time. */
const MIGRATION_LOCK_KEY = 7_238_447_196;

function parseOptions(options: DatabaseOptions) {
  const parsed = DatabaseOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new InvalidDatabaseOptionsError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || 'options'}: ${issue.message}`),
    );
  }
  return { ...parsed.data, target: parseDatabaseUrl(parsed.data.url) };
}

function describeTarget(target: DatabaseTarget): string {
  switch (target.kind) {
    case 'sqlite':
      return `sqlite:${target.path}`;
    case 'sqlite-memory':
      return 'sqlite::memory:';
    case 'postgres':
      return redactDatabaseUrl(target.url);
  }
}

/**
 * TypeORM options for a `DATABASE_URL`: every entity and migration, snake_case columns,
 * `synchronize: false` (the schema only ever changes through migrations) and `migrationsRun: false`
 * (run them with `runMigrations`, which takes a lock on PostgreSQL). SQLite gets WAL journaling,
 * `synchronous = NORMAL`, a busy timeout and foreign keys on. For `TypeOrmModule.forRootAsync`.
 * Throws `InvalidDatabaseUrlError` for a bad URL, `InvalidDatabaseOptionsError` for a bad option.
 */
export function buildDataSourceOptions(options: DatabaseOptions): DataSourceOptions {
  const { target, logging, poolSize, busyTimeoutMs, applicationName } = parseOptions(options);
  const common = {
    entities: [...ENTITIES],
    migrations: [...MIGRATIONS],
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'all' as const,
    migrationsRun: false,
    synchronize: false,
    namingStrategy: new SnakeCaseNamingStrategy(),
    logging,
  };
  if (target.kind === 'postgres') {
    return { ...common, type: 'postgres', url: target.url, poolSize, applicationName };
  }
  const inMemory = target.kind === 'sqlite-memory';
  return {
    ...common,
    type: 'better-sqlite3',
    database: inMemory ? ':memory:' : target.path,
    timeout: busyTimeoutMs,
    // WAL lets readers run while one writer writes; it means nothing for a private in-memory db.
    enableWAL: !inMemory,
    prepareDatabase: (database: { pragma(source: string): unknown }) => {
      // With WAL, NORMAL only risks the last transactions on power loss, never corruption.
      database.pragma('synchronous = NORMAL');
    },
  };
}

/** A configured, not yet connected TypeORM `DataSource` (call `initialize()`, then `runMigrations`). */
export function createDataSource(options: DatabaseOptions): DataSource {
  return new DataSource(buildDataSourceOptions(options));
}

/**
 * Applies the pending migrations, all in one transaction, and returns their names (empty when the
 * schema is current: running it again is a no-op). On PostgreSQL it holds an advisory lock for the
 * duration, so several replicas starting at once migrate one after the other.
 * Throws `MigrationFailedError` (nothing of the batch applied).
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const lockRunner = dataSource.options.type === 'postgres' ? dataSource.createQueryRunner() : undefined;
  try {
    if (lockRunner) {
      await lockRunner.connect();
      await lockRunner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    }
    const applied = await dataSource.runMigrations({ transaction: 'all' });
    return applied.map((migration) => migration.name);
  } catch (error) {
    throw new MigrationFailedError(error);
  } finally {
    if (lockRunner) {
      await lockRunner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
      await lockRunner.release();
    }
  }
}

/**
 * The start-up path: connects and applies pending migrations, then returns the ready `DataSource`
 * (close it with `destroy()`). Throws `InvalidDatabaseUrlError`, `InvalidDatabaseOptionsError`, `DatabaseUnavailableError`
 * (cannot connect or open the file; retryable) or `MigrationFailedError`; on failure nothing stays open.
 */
export async function openDatabase(options: DatabaseOptions): Promise<DataSource> {
  const dataSource = createDataSource(options);
  const target = describeTarget(parseDatabaseUrl(options.url));
  try {
    await dataSource.initialize();
  } catch (error) {
    throw new DatabaseUnavailableError(target, error);
  }
  try {
    await runMigrations(dataSource);
  } catch (error) {
    await dataSource.destroy().catch(() => undefined);
    throw error;
  }
  return dataSource;
}

/** Round-trips `SELECT 1`, for readiness checks. Throws `DatabaseUnavailableError`. */
export async function pingDatabase(dataSource: DataSource): Promise<void> {
  try {
    await dataSource.query('SELECT 1');
  } catch (error) {
    throw new DatabaseUnavailableError(dataSource.options.type, error);
  }
}
