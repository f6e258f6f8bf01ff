import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  apiKeyMatches,
  buildDataSourceOptions,
  DatabaseUnavailableError,
  generateApiKey,
  hashApiKey,
  InvalidDatabaseOptionsError,
  InvalidDatabaseUrlError,
  openDatabase,
  parseDatabaseUrl,
  PersistenceError,
  pingDatabase,
  Tenant,
} from './index';
import { openTestDatabase } from './testing';

describe('parseDatabaseUrl', () => {
  it.each([
    ['sqlite:./data/ai-scale.db', { kind: 'sqlite', path: './data/ai-scale.db' }],
    ['sqlite:/var/lib/ai-scale.db', { kind: 'sqlite', path: '/var/lib/ai-scale.db' }],
    ['sqlite:///var/lib/ai-scale.db', { kind: 'sqlite', path: '/var/lib/ai-scale.db' }],
    ['sqlite::memory:', { kind: 'sqlite-memory' }],
    ['postgres://u:p@db.internal:5432/app', { kind: 'postgres', host: 'db.internal', database: 'app' }],
    [
      'postgresql://u@localhost/app?sslmode=require',
      { kind: 'postgres', host: 'localhost', database: 'app' },
    ],
  ])('accepts %s', (url, expected) => {
    expect(parseDatabaseUrl(url)).toMatchObject(expected);
  });

  it.each([
    ['', /non-empty/],
    ['mysql://u@h/db', /unsupported scheme "mysql:"/],
    ['./data/ai-scale.db', /expected sqlite:/],
    ['sqlite:', /needs a file path/],
    ['postgres://u:secret@host', /no database name/],
    ['postgres://u:secret@/db', /no host|not a URL/],
  ])('rejects %j with a typed error', (url, message) => {
    let caught: unknown;
    try {
      parseDatabaseUrl(url);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidDatabaseUrlError);
    expect(PersistenceError.isInstance(caught)).toBe(true);
    expect((caught as InvalidDatabaseUrlError).code).toBe('INVALID_DATABASE_URL');
    expect((caught as Error).message).toMatch(message);
    expect((caught as Error).message).not.toContain('secret');
  });

  it('rejects a non-string URL, and bad options with their own typed error', () => {
    expect(() => parseDatabaseUrl(undefined)).toThrow(InvalidDatabaseUrlError);
    expect(() => buildDataSourceOptions({ url: 'sqlite::memory:', poolSize: 1 })).toThrow(
      InvalidDatabaseOptionsError,
    );
    expect(() => buildDataSourceOptions({ url: 'mysql://h/db' })).toThrow(InvalidDatabaseUrlError);
  });
});

describe('buildDataSourceOptions', () => {
  it('never synchronizes, and tunes SQLite files (WAL, busy timeout)', () => {
    const sqlite = buildDataSourceOptions({ url: 'sqlite:./x.db', busyTimeoutMs: 1234 }) as unknown as Record<
      string,
      unknown
    >;
    expect(sqlite).toMatchObject({
      type: 'better-sqlite3',
      database: './x.db',
      synchronize: false,
      enableWAL: true,
      timeout: 1234,
    });
    const postgres = buildDataSourceOptions({ url: 'postgres://u@h/db', poolSize: 4 }) as unknown as Record<
      string,
      unknown
    >;
    expect(postgres).toMatchObject({ type: 'postgres', synchronize: false, poolSize: 4 });
  });
});

describe('openDatabase on a SQLite file', () => {
  const directory = mkdtempSync(join(tmpdir(), 'ai-scale-sqlite-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('creates missing directories and runs in WAL mode with foreign keys and a busy timeout', async () => {
    const path = join(directory, 'nested', 'dir', 'ai-scale.db');
    const db = await openDatabase({ url: `sqlite:${path}`, busyTimeoutMs: 2500 });
    try {
      expect(existsSync(path)).toBe(true);
      expect(await db.query('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
      expect(await db.query('PRAGMA foreign_keys')).toEqual([{ foreign_keys: 1 }]);
      expect(await db.query('PRAGMA busy_timeout')).toEqual([{ timeout: 2500 }]);
    } finally {
      await db.destroy();
    }
  });

  it('reports a file it cannot open as DatabaseUnavailableError', async () => {
    // A directory where the file should be: SQLite cannot open it.
    await expect(openDatabase({ url: `sqlite:${directory}` })).rejects.toBeInstanceOf(
      DatabaseUnavailableError,
    );
  });
});

describe('API keys', () => {
  it('generates distinct keys whose hash is SHA-256 of the plaintext and whose prefix is its start', () => {
    const first = generateApiKey();
    const second = generateApiKey();
    expect(first.plaintext).not.toBe(second.plaintext);
    expect(first.plaintext).toMatch(/^ask_[A-Za-z0-9_-]{43}$/);
    expect(first.prefix).toBe(first.plaintext.slice(0, 12));
    expect(first.hash).toBe(hashApiKey(first.plaintext));
    expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(first.hash).not.toContain(first.plaintext.slice(4));
    expect(apiKeyMatches(first.plaintext, first.hash)).toBe(true);
    expect(apiKeyMatches(second.plaintext, first.hash)).toBe(false);
  });
});

describe('openTestDatabase and pingDatabase', () => {
  it('gives a private migrated in-memory database that answers a ping, and fails the ping once closed', async () => {
    const db = await openTestDatabase();
    const tenants = db.getRepository(Tenant);
    await tenants.save(tenants.create({ name: 'memory' }));
    expect(await tenants.count()).toBe(1);
    await pingDatabase(db);
    const other = await openTestDatabase();
    expect(await other.getRepository(Tenant).count()).toBe(0);
    await other.destroy();
    await db.destroy();
    await expect(pingDatabase(db)).rejects.toBeInstanceOf(DatabaseUnavailableError);
  });
});
