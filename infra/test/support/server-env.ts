import * as fs from 'node:fs';
import { repoPath } from './files';

/**
 * The environment variables the deployment files rely on (docs/deployment.md). The server's zod
 * schema (apps/server/src/config/config.schema.ts) is the source of truth: `SERVER_SCHEMA_ENV` reads
 * its keys, and a test checks that every name below is one of them.
 */
export const SERVER_ENV = [
  'PORT',
  'DATA_DIR',
  'ROLE',
  'QUEUE_DRIVER',
  'CACHE_DRIVER',
  'REDIS_URL',
  'DATABASE_URL',
  'VECTOR_STORE',
  'PINECONE_API_KEY',
  'PINECONE_INDEX',
  'EMBEDDINGS',
  'EMBEDDINGS_BASE_URL',
  'EMBEDDINGS_MODEL',
  'LLM_PROVIDERS',
  'OPENAI_API_KEY',
  'OPENAI_BASE_URL',
  'ANTHROPIC_API_KEY',
  'ADMIN_TOKEN',
  'WORKER_CONCURRENCY',
  'LOG_LEVEL',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_SERVICE_NAME',
  'QUEUE_PREFIX',
  'SHUTDOWN_TIMEOUT_MS',
  'EMBEDDINGS_API_KEY',
] as const;

/** Read by Node, OpenTelemetry's SDK or LanceDB themselves, not (only) by the server's schema. */
export const STANDARD_ENV = [
  'NODE_ENV',
  'OTEL_RESOURCE_ATTRIBUTES',
  'LANCE_CPU_THREADS',
  'LANCEDB_LOG',
] as const;

/** Variables that must be secret: they hold credentials (DATABASE_URL and REDIS_URL may hold passwords). */
export const SECRET_ENV = [
  'DATABASE_URL',
  'REDIS_URL',
  'PINECONE_API_KEY',
  'OPENAI_API_KEY',
  'ANTHROPIC_API_KEY',
  'ADMIN_TOKEN',
  'EMBEDDINGS_API_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
] as const;

export const SERVER_SCHEMA_FILE = repoPath('apps/server/src/config/config.schema.ts');

/**
 * The keys of the `z.object({...})` in the server's config schema, read from its source (the infra
 * workspace does not build the server). Empty when the file does not exist.
 */
export function readSchemaEnv(file: string = SERVER_SCHEMA_FILE): string[] {
  if (!fs.existsSync(file)) return [];
  const source = fs.readFileSync(file, 'utf8');
  const start = source.indexOf('.object({');
  const body = start >= 0 ? source.slice(start) : '';
  return [...new Set([...body.matchAll(/^\s{4}([A-Z][A-Z0-9_]+):/gm)].map((match) => match[1] as string))];
}

export const SERVER_SCHEMA_ENV: readonly string[] = readSchemaEnv();

/** What deployment files may set: the schema's keys (or, before the schema exists, SERVER_ENV) and STANDARD_ENV. */
export const KNOWN_ENV: ReadonlySet<string> = new Set<string>([
  ...(SERVER_SCHEMA_ENV.length > 0 ? SERVER_SCHEMA_ENV : SERVER_ENV),
  ...STANDARD_ENV,
]);
