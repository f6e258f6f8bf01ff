/**
 * A private redis-server for a benchmark that stops Redis on purpose: the shared Redis on 6379 is
 * never touched. With `appendOnly` the data lives in `directory` and survives a restart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, spawnChild, stopChild, waitUntil, type ChildHandle } from './processes';

export interface PrivateRedis {
  readonly url: string;
  readonly port: number;
  readonly appendOnly: boolean;
  /** Stops redis-server (SIGTERM: a clean shutdown that flushes the append-only file). */
  stop(): Promise<void>;
  /** SIGKILLs redis-server (a crash: nothing flushed beyond what its appendfsync policy wrote). */
  kill(): Promise<void>;
  /**
   * Sets `appendfsync` on the running server (CONFIG SET) and for every later start, so a restart
   * after a crash runs with the same policy.
   */
  setAppendFsync(policy: AppendFsync): Promise<void>;
  /** Starts it again on the same port and directory. */
  start(): Promise<void>;
  /** Stops it and deletes its directory. */
  close(): Promise<void>;
}

/** Redis's AOF fsync policies: `everysec` is its default (and what infra/docker-compose.yml ships). */
export type AppendFsync = 'always' | 'everysec' | 'no';

export async function startPrivateRedis(options: {
  appendOnly: boolean;
  appendFsync?: AppendFsync;
}): Promise<PrivateRedis> {
  const port = await freePort();
  const directory = mkdtempSync(join(tmpdir(), 'ai-scale-bench-redis-'));
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--daemonize',
    'no',
    '--dir',
    directory,
    '--appendonly',
    options.appendOnly ? 'yes' : 'no',
    '--appendfsync',
    options.appendFsync ?? 'everysec',
    // BullMQ requires keys never to be evicted.
    '--maxmemory-policy',
    'noeviction',
  ];
  let handle: ChildHandle | undefined;
  const url = `redis://127.0.0.1:${port}`;
  const start = async (): Promise<void> => {
    handle = spawnChild(`redis-server:${port}`, 'redis-server', args);
    await waitUntil(
      `redis-server on ${port}`,
      async () => {
        const client = new Redis(url, {
          lazyConnect: true,
          maxRetriesPerRequest: 0,
          retryStrategy: () => null,
        });
        client.on('error', () => undefined);
        try {
          await client.connect();
          return (await client.ping()) === 'PONG';
        } finally {
          client.disconnect();
        }
      },
      { timeoutMs: 10_000, intervalMs: 50, handle },
    );
  };
  await start();
  return {
    url,
    port,
    appendOnly: options.appendOnly,
    start,
    stop: async () => {
      if (handle) await stopChild(handle, 'SIGTERM', 5_000);
    },
    kill: async () => {
      if (handle) await stopChild(handle, 'SIGKILL', 5_000);
    },
    setAppendFsync: async (policy) => {
      const client = new Redis(url, { maxRetriesPerRequest: 1 });
      try {
        await client.config('SET', 'appendfsync', policy);
      } finally {
        client.disconnect();
      }
      args[args.indexOf('--appendfsync') + 1] = policy;
    },
    close: async () => {
      if (handle) await stopChild(handle, 'SIGTERM', 5_000);
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
