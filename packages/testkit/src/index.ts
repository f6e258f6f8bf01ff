/**
 * Helpers for tests that talk to the real Redis and PostgreSQL.
 *
 * The root jest global setup probes both services once and records `AI_SCALE_REDIS` and
 * `AI_SCALE_POSTGRES` (`up` | `down`). A suite that needs a service is declared with
 * `describeWithRedis` / `describeWithPostgres`: when the service is down it is skipped with the
 * reason in its title (and with `REQUIRE_SERVICES=1` the global setup has already failed the run).
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export type Service = 'redis' | 'postgres';

const ENV_BY_SERVICE: Record<Service, string> = { redis: 'AI_SCALE_REDIS', postgres: 'AI_SCALE_POSTGRES' };

export function serviceAvailable(service: Service): boolean {
  return process.env[ENV_BY_SERVICE[service]] === 'up';
}

function describeWith(services: Service[], name: string, body: () => void): void {
  const missing = services.filter((service) => !serviceAvailable(service));
  if (missing.length === 0) {
    describe(name, body);
  } else {
    describe.skip(`${name} [skipped: ${missing.join(' and ')} not answering]`, body);
  }
}

export const describeWithRedis = (name: string, body: () => void): void =>
  describeWith(['redis'], name, body);
export const describeWithPostgres = (name: string, body: () => void): void =>
  describeWith(['postgres'], name, body);
export const describeWithRedisAndPostgres = (name: string, body: () => void): void =>
  describeWith(['redis', 'postgres'], name, body);

export function redisUrl(): string {
  return process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
}

export function postgresAdminUrl(): string {
  return process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
}

/** A short random name, safe as a Redis key prefix, queue name or database name. */
export function uniqueName(label: string): string {
  return `${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

export interface ThrowawayDatabase {
  readonly url: string;
  readonly name: string;
  drop(): Promise<void>;
}

/** Creates an empty PostgreSQL database for one test file; `drop()` removes it (forcing out connections). */
export async function createThrowawayPostgresDatabase(label = 'test'): Promise<ThrowawayDatabase> {
  const adminUrl = postgresAdminUrl();
  const name = uniqueName(`aiscale_${label}`);
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const client = new Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Polls `condition` until it holds or `timeoutMs` passes; for waiting on asynchronous effects in tests. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  { timeoutMs = 10_000, intervalMs = 20, message = 'condition' } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${message}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export { forkTypeScript, nextMessage, exited } from './child-process';
export {
  freePort,
  killAllChildren,
  sleep,
  spawnChild,
  stopChild,
  waitUntil,
  type ChildHandle,
} from './processes';

/** Deletes every key matching `pattern` (SCAN + UNLINK) from the test Redis: a test's own prefix only. */
export async function deleteRedisKeys(pattern: string, url: string = redisUrl()): Promise<void> {
  const { Redis } = await import('ioredis');
  const client = new Redis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await client.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    await client.quit();
  }
}

export {
  startRedisCluster,
  redisClusterAvailable,
  describeWithRedisCluster,
  type RedisCluster,
  type RedisClusterNode,
  type StartRedisClusterOptions,
} from './redis-cluster';

export {
  startS3Server,
  uniqueBucketName,
  S3RVER_CREDENTIALS,
  type S3TestServer,
  type StartS3ServerOptions,
} from './s3-server';
