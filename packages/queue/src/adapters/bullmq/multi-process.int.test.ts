import { type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import {
  describeWithRedis,
  redisUrl,
  uniqueName,
  waitFor,
  deleteRedisKeys,
  exited,
  forkTypeScript,
  nextMessage,
} from '@ai-scale/testkit';
import type { EnqueueRequest } from '../../ports';
import { BullmqJobQueue } from './bullmq-job-queue';

const JOBS = 1_000;
const WORKERS = 3;

type ChildMessage = { type: 'ready' } | { type: 'frozen'; key: string };

describeWithRedis('BullmqJobQueue across processes', () => {
  const prefix = uniqueName('aiscale_queue_mp');
  const queueName = uniqueName('effects');
  const keys = `${prefix}:test`;
  const redis = new Redis(redisUrl());
  const producer = new BullmqJobQueue({ name: queueName, redisUrl: redisUrl(), prefix });
  const children: ChildProcess[] = [];

  afterAll(async () => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await Promise.all(children.map(exited));
    await producer.close();
    await deleteRedisKeys(`${prefix}:*`);
    await redis.quit();
  }, 30_000);

  it(`${WORKERS} worker processes, ${JOBS} jobs, one SIGKILLed halfway: every job completes, none is lost, no side effect twice`, async () => {
    const config = JSON.stringify({ redisUrl: redisUrl(), prefix, queueName, keys });
    for (let i = 0; i < WORKERS; i++) {
      const child = forkTypeScript(join(__dirname, '__fixtures__', 'worker-process.ts'), [config], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      children.push(child);
    }
    await Promise.all(children.map((child) => nextMessage<ChildMessage>(child, 'ready')));

    const requests: EnqueueRequest[] = Array.from({ length: JOBS }, (_, i) => ({
      name: 'effect',
      payload: { key: `key-${i}` },
      options: {
        idempotencyKey: `key-${i}`,
        tenantId: `tenant-${i % 4}`,
        attempts: 5,
        backoff: { type: 'exponential', baseMs: 10 },
      },
    }));
    const firstIds: string[] = [];
    for (let start = 0; start < JOBS; start += 250) {
      firstIds.push(...(await producer.enqueueBulk(requests.slice(start, start + 250))).map((job) => job.id));
    }
    expect(new Set(firstIds).size).toBe(JOBS);

    await waitFor(async () => (await producer.counts()).completed >= JOBS / 2, {
      timeoutMs: 30_000,
      message: 'half the jobs',
    });
    const victim = children[0] as ChildProcess;
    const frozen = nextMessage<ChildMessage>(victim, 'frozen');
    victim.send('freeze');
    const { key: frozenKey } = (await frozen) as { key: string };
    victim.kill('SIGKILL');
    await exited(victim);

    // Producers retry too: enqueueing every key again must not create or run anything twice.
    const againIds = (await producer.enqueueBulk(requests)).map((job) => job.id);
    expect(againIds).toEqual(firstIds);

    await waitFor(async () => (await producer.counts()).completed === JOBS, {
      timeoutMs: 30_000,
      message: 'every job to complete after the crash',
    });
    const counts = await producer.counts();
    expect(counts).toEqual({ queued: 0, delayed: 0, active: 0, completed: JOBS, failed: 0, cancelled: 0 });

    const effects = await redis.hgetall(`${keys}:effects`);
    const runs = await redis.hgetall(`${keys}:runs`);
    expect(Object.keys(effects)).toHaveLength(JOBS);
    expect(Object.values(effects).every((count) => count === '1')).toBe(true);
    // The job frozen right after its side effect was re-run by a surviving worker, without repeating it.
    expect(Number(runs[frozenKey])).toBeGreaterThanOrEqual(2);
    expect(effects[frozenKey]).toBe('1');
    const completedBy = new Set<number>();
    for (const id of firstIds.slice(0, 50)) {
      const job = await producer.getJob<unknown, { pid: number }>(id);
      if (job?.result) completedBy.add(job.result.pid);
    }
    expect(completedBy.size).toBeGreaterThanOrEqual(1);

    // Graceful shutdown of the survivors on SIGTERM.
    const survivors = children.slice(1);
    for (const child of survivors) child.kill('SIGTERM');
    await Promise.all(survivors.map(exited));
    expect(survivors.map((child) => child.exitCode)).toEqual([0, 0]);
  }, 90_000);
});
