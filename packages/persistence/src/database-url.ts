import { z } from 'zod';
import { InvalidDatabaseUrlError } from './errors';

/** Where the data lives, as parsed from a `DATABASE_URL`. */
export type DatabaseTarget =
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'sqlite-memory' }
  | { readonly kind: 'postgres'; readonly url: string; readonly database: string; readonly host: string };

const SQLITE_PREFIX = 'sqlite:';

const PostgresUrlSchema = z.string().transform((value, context) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    context.addIssue({ code: 'custom', message: 'not a URL' });
    return z.NEVER;
  }
  if (!url.hostname) context.addIssue({ code: 'custom', message: 'no host' });
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!database) context.addIssue({ code: 'custom', message: 'no database name in the path' });
  if (database.includes('/'))
    context.addIssue({ code: 'custom', message: 'the path must be one database name' });
  return { url: value, database, host: url.hostname };
});

/** `postgres://user:secret@host/db` → `postgres://user:***@host/db`, for messages and logs. */
export function redactDatabaseUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:/@]*:)[^@]*@/i, '$1***@');
}

/**
 * Parses a `DATABASE_URL`:
 * - `sqlite:./data/ai-scale.db`, `sqlite:/abs/path.db`, `sqlite:///abs/path.db` → a SQLite file;
 * - `sqlite::memory:` → a private in-memory SQLite database (gone when closed);
 * - `postgres://user:pass@host:5432/db` (or `postgresql://`) → PostgreSQL.
 * Anything else throws `InvalidDatabaseUrlError` (never quoting a password).
 */
export function parseDatabaseUrl(input: unknown): DatabaseTarget {
  const parsed = z.string().trim().min(1).safeParse(input);
  if (!parsed.success) throw new InvalidDatabaseUrlError('expected a non-empty string');
  const url = parsed.data;
  if (url.toLowerCase().startsWith(SQLITE_PREFIX)) {
    let path = url.slice(SQLITE_PREFIX.length);
    if (path === ':memory:') return { kind: 'sqlite-memory' };
    if (path.startsWith('//')) path = path.slice(2);
    if (path.length === 0)
      throw new InvalidDatabaseUrlError('sqlite: needs a file path, e.g. sqlite:./data/ai-scale.db');
    if (path.includes('\0')) throw new InvalidDatabaseUrlError('sqlite: the path contains a NUL byte');
    return { kind: 'sqlite', path };
  }
  if (/^postgres(ql)?:\/\//i.test(url)) {
    const result = PostgresUrlSchema.safeParse(url);
    if (!result.success) {
      throw new InvalidDatabaseUrlError(
        `${redactDatabaseUrl(url)}: ${result.error.issues.map((issue) => issue.message).join(', ')}`,
      );
    }
    return { kind: 'postgres', ...result.data };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1];
  throw new InvalidDatabaseUrlError(
    scheme
      ? `unsupported scheme "${scheme}:" (use sqlite: or postgres://)`
      : 'expected sqlite:<path>, sqlite::memory: or postgres://user@host/db',
  );
}
