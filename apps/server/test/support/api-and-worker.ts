import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  createThrowawayPostgresDatabase,
  redisUrl,
  type ThrowawayDatabase,
  uniqueName,
  waitFor,
} from '@ai-scale/testkit';
import { type ServerUnderTest, startServer } from './server-under-test';

export const builtMain = path.join(__dirname, '..', '..', 'dist', 'main.js');

/** The production shape: ROLE=api in this process, ROLE=worker as a child process of the built dist. */
export interface ApiAndWorker {
  readonly server: ServerUnderTest;
  readonly worker: ChildProcess;
  /** What the worker printed so far (stdout and stderr). */
  readonly workerOutput: () => string;
  readonly environment: Readonly<Record<string, string>>;
  /** SIGTERM to the worker (if still running), closes the api, drops the database and DATA_DIR. */
  stop(): Promise<void>;
}

/**
 * Redis (BullMQ queue, cache) with unique prefixes and a throwaway PostgreSQL database, shared by
 * an api started here and a worker process; `extra` adds or overrides variables of both.
 */
export async function startApiAndWorker(
  label: string,
  extra: Record<string, string> = {},
): Promise<ApiAndWorker> {
  if (!existsSync(builtMain)) throw new Error('build the server first: npm run build -w @ai-scale/server');
  const database: ThrowawayDatabase = await createThrowawayPostgresDatabase(label);
  const dataDir = mkdtempSync(path.join(tmpdir(), `ai-scale-${label}-`));
  const environment: Record<string, string> = {
    QUEUE_DRIVER: 'bullmq',
    CACHE_DRIVER: 'redis',
    REDIS_URL: redisUrl(),
    DATABASE_URL: database.url,
    QUEUE_PREFIX: uniqueName(`${label}q`),
    CACHE_PREFIX: uniqueName(`${label}c`),
    VECTOR_STORE: 'lancedb',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    LANCE_CPU_THREADS: '2',
    ...extra,
  };
  // The api migrates the schema first; the worker then finds it current.
  const server = await startServer({ ...environment, ROLE: 'api' });
  const worker = spawn(process.execPath, [builtMain], {
    env: {
      PATH: process.env.PATH,
      ...environment,
      ROLE: 'worker',
      PORT: '0',
      HOST: '127.0.0.1',
      SCARF_ANALYTICS: 'false',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  worker.stdout?.on('data', (chunk) => (output += String(chunk)));
  worker.stderr?.on('data', (chunk) => (output += String(chunk)));
  await waitFor(() => output.includes('listening'), {
    timeoutMs: 20_000,
    message: 'the worker process to start',
  });
  return {
    server,
    worker,
    workerOutput: () => output,
    environment,
    async stop() {
      if (worker.exitCode === null && worker.signalCode === null) {
        const exited = new Promise((resolve) => worker.once('exit', resolve));
        worker.kill('SIGTERM');
        await exited;
      }
      await server.close();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
