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
  /** Starts it again on the same port and directory. */
  start(): Promise<void>;
  /** Stops it and deletes its directory. */
  close(): Promise<void>;
}

export async function startPrivateRedis(options: { appendOnly: boolean }): Promise<PrivateRedis> {
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
    'everysec',
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
    close: async () => {
      if (handle) await stopChild(handle, 'SIGTERM', 5_000);
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
