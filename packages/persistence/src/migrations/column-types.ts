import type { QueryRunner, TableColumnOptions } from 'typeorm';

/**
 * The column types that differ between the two engines, chosen from the running driver so one
 * migration serves both. Everything else (`varchar`, `text`, `integer`, `double precision`,
 * `jsonb`) is spelled the same on both (SQLite only uses the name for its type affinity, and
 * TypeORM (de)serialises `jsonb` on SQLite as JSON text).
 */
export function columnTypes(queryRunner: QueryRunner) {
  const postgres = queryRunner.connection.driver.options.type === 'postgres';
  return {
    /** Native `uuid` on PostgreSQL, text on SQLite. */
    uuid: postgres ? 'uuid' : 'varchar',
    /** An instant: `timestamptz` on PostgreSQL (immune to the server's time zone), `datetime` on SQLite. */
    timestamp: postgres ? 'timestamptz' : 'datetime',
    /** The current time as a column default, in each engine's SQL. */
    now: postgres ? 'now()' : "datetime('now')",
  };
}

type Types = ReturnType<typeof columnTypes>;

export const idColumn = (types: Types): TableColumnOptions => ({
  name: 'id',
  type: types.uuid,
  isPrimary: true,
});

export const uuidColumn = (types: Types, name: string): TableColumnOptions => ({ name, type: types.uuid });

export const createdAtColumn = (types: Types): TableColumnOptions => ({
  name: 'created_at',
  type: types.timestamp,
  default: types.now,
});

export const updatedAtColumn = (types: Types): TableColumnOptions => ({
  name: 'updated_at',
  type: types.timestamp,
  default: types.now,
});

export const jsonColumn = (name: string, defaultJson?: '{}' | '[]'): TableColumnOptions => ({
  name,
  type: 'jsonb',
  ...(defaultJson === undefined ? { isNullable: true } : { default: `'${defaultJson}'` }),
});
