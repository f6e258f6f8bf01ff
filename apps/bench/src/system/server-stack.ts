/**
 * The system under test, as it is deployed: one `ROLE=api` process and N `ROLE=worker` processes
 * of the built server (run from a private snapshot of `apps/server/dist` and the packages it loads)
 * on Redis (BullMQ queue, answer cache, rate limit) and a throwaway PostgreSQL database, calling
 * the fake OpenAI-compatible provider, which runs in the bench process so its call counters can be
 * read directly. `close()` stops the processes and removes the database, this run's Redis keys and
 * its temporary folders.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { request } from 'undici';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '@ai-scale/llm-gateway/testing';
import { createThrowawayPostgresDatabase, type ThrowawayDatabase } from '@ai-scale/testkit';
import { BullmqJobQueue } from '@ai-scale/queue/bullmq';
import { REPOSITORY_ROOT } from './report-files';
import { snapshotServer } from './server-snapshot';
import { freePort, sleep, spawnChild, stopChild, waitUntil, type ChildHandle } from './processes';

/** The queue name the server gives its one BullMQ queue (apps/server create-queue.ts). */
const SERVER_QUEUE_NAME = 'ai-scale';
/** The model named to the fake provider (the bench prices its tokens at gpt-4o-mini list price). */
export const BENCH_MODEL = 'gpt-4o-mini';

export interface StackOptions {
  readonly redisUrl: string;
  readonly workers: number;
  readonly workerConcurrency: number;
  readonly modelLatencyMs: number;
  /**
   * Fault rates of the fake provider. The object is read on every model call, so changing its
   * fields during a run switches faults on and off.
   */
  readonly faults?: { serverError?: number; rateLimit?: number };
  /** Extra server settings for this scenario (e.g. the queue's lock and stalled-check timings). */
  readonly serverEnvironment?: Readonly<Record<string, string>>;
  readonly log: (line: string) => void;
  /**
   * Called when a server process exits that the stack did not stop (a crash, or someone else's
   * kill): the figures after that moment measure a broken stack, so the scenario should stop.
   */
  readonly onUnexpectedExit?: (description: string) => void;
}

export interface ServerStack {
  readonly apiUrl: string;
  readonly apiKey: string;
  readonly fake: FakeOpenAiServer;
  readonly workers: ChildHandle[];
  readonly api: ChildHandle;
  readonly queuePrefix: string;
  /** Queued (waiting, prioritized, delayed) and active jobs of the server's queue. */
  queueCounts(): Promise<{ queued: number; active: number; completed: number; failed: number }>;
  /** SIGKILLs worker `index` (a crash: no graceful shutdown). */
  killWorker(index: number): Promise<void>;
  /** Starts a fresh worker process in slot `index` and waits until it is ready. */
  restartWorker(index: number): Promise<void>;
  close(): Promise<void>;
}

/** The environment every process of the stack shares; only what the server needs, nothing inherited. */
function baseEnvironment(
  options: StackOptions,
  fakeUrl: string,
  databaseUrl: string,
  prefix: string,
): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    METRICS_ENABLED: 'false',
    DEMO_TENANT: 'false',
    SCARF_ANALYTICS: 'false',
    QUEUE_DRIVER: 'bullmq',
    CACHE_DRIVER: 'redis',
    REDIS_URL: options.redisUrl,
    QUEUE_PREFIX: `${prefix}q`,
    CACHE_PREFIX: `${prefix}c`,
    DATABASE_URL: databaseUrl,
    // No documents are ingested: retrieval runs on an empty in-memory index, so what is measured is
    // the request path (API → queue → worker → model), not vector search.
    VECTOR_STORE: 'memory',
    LLM_PROVIDERS: `openai-compatible:${BENCH_MODEL}`,
    OPENAI_BASE_URL: fakeUrl,
    OPENAI_API_KEY: 'bench-fake-key',
    WORKER_CONCURRENCY: String(options.workerConcurrency),
    // Sync mode: the request is held open until the answer, however long the queue.
    CHAT_SYNC_DEADLINE_MS: '120000',
    // The rate limiter must not be what is measured.
    RATE_LIMIT_PER_MINUTE: '100000000',
    DEPENDENCY_TIMEOUT_MS: '2000',
    SHUTDOWN_TIMEOUT_MS: '5000',
    ...options.serverEnvironment,
  };
}

/** Deletes this run's keys (its unique prefixes only) from the Redis it used. */
async function deleteKeys(redisUrl: string, patterns: readonly string[]): Promise<void> {
  const client = new Redis(redisUrl, {
    maxRetriesPerRequest: 1,
    lazyConnect: true,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    for (const pattern of patterns) {
      let cursor = '0';
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await client.unlink(...keys);
      } while (cursor !== '0');
    }
  } finally {
    client.disconnect();
  }
}

async function ready(url: string): Promise<boolean> {
  const response = await request(`${url}/health/ready`, { headersTimeout: 2_000, bodyTimeout: 2_000 });
  await response.body.text();
  return response.statusCode === 200;
}

export async function startServerStack(options: StackOptions): Promise<ServerStack> {
  const prefix = `bench${randomBytes(4).toString('hex')}`;
  const adminToken = randomBytes(24).toString('hex');
  const cleanups: Array<() => Promise<void>> = [];
  const dataRoot = mkdtempSync(join(tmpdir(), 'ai-scale-bench-'));
  cleanups.push(async () => rmSync(dataRoot, { recursive: true, force: true }));
  let closing = false;
  const expectedExits = new Set<ChildHandle>();
  const close = async (): Promise<void> => {
    closing = true;
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const snapshot = await snapshotServer(REPOSITORY_ROOT, options.log);
    cleanups.push(async () => snapshot.dispose());
    const main = snapshot.mainPath;
    const fake = await startFakeOpenAiServer({
      latency: { kind: 'fixed', ms: options.modelLatencyMs },
      // The same (mutable) object the caller holds, so faults can be switched during the run.
      faults: options.faults ?? {},
    });
    cleanups.push(() => fake.close());
    // Registered first so it runs last, after every process that writes to Redis has stopped.
    cleanups.push(() => deleteKeys(options.redisUrl, [`${prefix}q:*`, `${prefix}c:*`]));
    const database: ThrowawayDatabase = await createThrowawayPostgresDatabase('bench');
    cleanups.push(() => database.drop());
    const environment = baseEnvironment(options, fake.url, database.url, prefix);

    const spawnRole = async (
      role: 'api' | 'worker',
      slot: number,
    ): Promise<{ handle: ChildHandle; url: string }> => {
      const port = await freePort();
      const handle = spawnChild(`${role}${role === 'worker' ? slot : ''}`, process.execPath, [main], {
        env: {
          ...environment,
          ROLE: role,
          PORT: String(port),
          DATA_DIR: join(dataRoot, `${role}${slot}`),
          ...(role === 'api' ? { ADMIN_TOKEN: adminToken } : {}),
        },
      });
      return { handle, url: `http://127.0.0.1:${port}` };
    };
    const waitReady = (started: { handle: ChildHandle; url: string }): Promise<void> =>
      waitUntil(`${started.handle.name} ready`, () => ready(started.url), {
        timeoutMs: 90_000,
        intervalMs: 200,
        handle: started.handle,
      });
    /**
     * Starts a role and waits until it is ready; like a supervisor, starts it again when it dies
     * while starting (in a shared working tree a dependency's dist/ can vanish during a rebuild).
     */
    const startRole = async (
      role: 'api' | 'worker',
      slot: number,
      register: (handle: ChildHandle) => void,
    ): Promise<string> => {
      for (let attempt = 1; ; attempt++) {
        const started = await spawnRole(role, slot);
        register(started.handle);
        try {
          await waitReady(started);
          void started.handle.exited.then(({ code, signal }) => {
            if (closing || expectedExits.has(started.handle)) return;
            const description = `${started.handle.name} exited unexpectedly (code ${code}, signal ${signal}):\n${started.handle.tail()}`;
            options.log(description);
            options.onUnexpectedExit?.(description);
          });
          return started.url;
        } catch (error) {
          await stopChild(started.handle, 'SIGKILL', 1_000);
          if (attempt >= 3) throw error;
          options.log(`${started.handle.name} failed to start (attempt ${attempt}), starting it again`);
          await sleep(2_000);
        }
      }
    };

    // All roles start together: each runs the migrations under PostgreSQL's migration lock.
    const startedAt = performance.now();
    let api: ChildHandle | undefined;
    const workers: ChildHandle[] = [];
    cleanups.push(async () => {
      await Promise.all(
        [api, ...workers].map((handle) => (handle ? stopChild(handle, 'SIGTERM', 6_000) : undefined)),
      );
    });
    const startWorker = (slot: number): Promise<string> =>
      startRole('worker', slot, (handle) => (workers[slot] = handle));
    const [apiUrl] = await Promise.all([
      startRole('api', 0, (handle) => (api = handle)),
      ...Array.from({ length: options.workers }, (_, slot) => startWorker(slot)),
    ]);

    const created = await request(`${apiUrl}/v1/admin/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: `bench ${prefix}`, rateLimitPerMinute: 1_000_000 }),
    });
    const tenant = (await created.body.json()) as { tenantId?: string; apiKey?: string };
    if (created.statusCode !== 201 || !tenant.apiKey) {
      throw new Error(`creating the bench tenant failed: ${created.statusCode} ${JSON.stringify(tenant)}`);
    }

    const queue = new BullmqJobQueue({
      name: SERVER_QUEUE_NAME,
      redisUrl: options.redisUrl,
      prefix: environment.QUEUE_PREFIX as string,
    });
    cleanups.push(() => queue.close());
    options.log(
      `stack up in ${((performance.now() - startedAt) / 1000).toFixed(1)} s: api ${apiUrl}, ${options.workers} workers × concurrency ${options.workerConcurrency}, fake model ${options.modelLatencyMs} ms, database ${database.name}, prefix ${prefix}`,
    );
    return {
      apiUrl,
      apiKey: tenant.apiKey,
      fake,
      workers,
      api: api as ChildHandle,
      queuePrefix: environment.QUEUE_PREFIX as string,
      queueCounts: async () => {
        const counts = await queue.counts();
        return {
          queued: counts.queued + counts.delayed,
          active: counts.active,
          completed: counts.completed,
          failed: counts.failed,
        };
      },
      killWorker: async (index) => {
        const worker = workers[index];
        if (!worker) throw new Error(`no worker ${index}`);
        expectedExits.add(worker);
        worker.process.kill('SIGKILL');
        await worker.exited;
      },
      restartWorker: async (index) => {
        await startWorker(index);
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
