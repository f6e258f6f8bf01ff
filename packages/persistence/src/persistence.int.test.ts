import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createThrowawayPostgresDatabase,
  describeWithPostgres,
  type ThrowawayDatabase,
} from '@ai-scale/testkit';
import { persistenceContract } from './testing';

const testApi = { describe, it, beforeAll, afterAll };

describe('persistence on SQLite (temp file, better-sqlite3)', () => {
  const directory = mkdtempSync(join(tmpdir(), 'ai-scale-persistence-'));
  let counter = 0;
  persistenceContract(
    testApi,
    {
      createDatabaseUrl: async () => `sqlite:${join(directory, `db-${counter++}`, 'ai-scale.db')}`,
      cleanup: async () => rmSync(directory, { recursive: true, force: true }),
    },
    // Embedded mode is one process: concurrent start-up of several processes is PostgreSQL's job.
    { concurrentStartup: false },
  );
});

describeWithPostgres('persistence on PostgreSQL (real server, throwaway databases)', () => {
  const databases: ThrowawayDatabase[] = [];
  persistenceContract(
    testApi,
    {
      createDatabaseUrl: async () => {
        const database = await createThrowawayPostgresDatabase('persistence');
        databases.push(database);
        return database.url;
      },
      cleanup: async () => {
        await Promise.all(databases.map((database) => database.drop()));
      },
    },
    {
      toleratedSchemaDiff:
        /^ALTER TABLE "\w+" (DROP COLUMN|ADD) "(created_at|updated_at|last_used_at|revoked_at)"/,
    },
  );
});
