import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { describeWithRedisCluster, waitFor } from '@ai-scale/testkit';
import type { WorkerErrorEvent } from '../../ports';
import { BullmqJobQueue } from './bullmq-job-queue';

// A Redis of the test's own (never the shared one): it is SIGKILLed under a running worker.
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function startRedis(port: number): ChildProcess {
  return spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

// The binaries the cluster harness needs are the ones this test needs (redis-server).
describeWithRedisCluster('BullmqJobWorker liveness when its Redis dies', () => {
  let redis: ChildProcess;
  let queue: BullmqJobQueue;
  let worker: ReturnType<BullmqJobQueue['createWorker']> | undefined;

  afterAll(async () => {
    // A failed assertion must not leave the worker retrying a dead Redis under queue.close().
    await worker?.close({ deadlineMs: 0 }).catch(() => undefined);
    await queue?.close();
    if (redis) await killed(redis);
  }, 20_000);

  it('reports the lost connection (onError), reads unhealthy while Redis is gone, and healthy again after', async () => {
    const port = await freePort();
    redis = startRedis(port);
    const url = `redis://127.0.0.1:${port}`;
    queue = new BullmqJobQueue({ name: 'liveness', redisUrl: url, operationTimeoutMs: 1_000 });
    await waitFor(
      async () =>
        await queue.counts().then(
          () => true,
          () => false,
        ),
      { message: 'redis up' },
    );
    const errors: WorkerErrorEvent[] = [];
    const running = queue.createWorker(
      { noop: async () => null },
      { lockDurationMs: 1_000, onError: (event) => errors.push(event) },
    );
    worker = running;
    await running.start();
    expect(running.health()).toMatchObject({
      healthy: true,
      running: true,
      backendReachable: true,
      errors: 0,
    });

    await killed(redis);
    await waitFor(() => !running.health().healthy, {
      timeoutMs: 15_000,
      message: 'the worker to read unhealthy',
    });
    const down = running.health();
    expect(down.backendReachable).toBe(false);
    expect(down.running).toBe(true); // the loop itself is alive and retrying
    expect(down.errors).toBeGreaterThan(0);
    // Both of the worker's connections die (its blocking one and its event stream): either may be last.
    expect(['connection', 'events']).toContain(down.lastError?.kind);
    expect(errors.some((event) => event.kind === 'connection' && event.error instanceof Error)).toBe(true);

    redis = startRedis(port);
    await waitFor(() => running.health().healthy, { timeoutMs: 20_000, message: 'the worker to recover' });
    const job = await queue.enqueue('noop', {});
    await waitFor(async () => (await queue.getJob(job.id))?.state === 'completed', {
      timeoutMs: 20_000,
      message: 'a job after the recovery',
    });
    await running.close({ deadlineMs: 0 });
    expect(running.health()).toMatchObject({ healthy: false, running: false });
  }, 60_000);
});
