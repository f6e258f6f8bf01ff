import { type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import {
  deleteRedisKeys,
  describeWithRedis,
  exited,
  forkTypeScript,
  nextMessage,
  redisUrl,
  uniqueName,
  waitFor,
} from '@ai-scale/testkit';
import type { JobEvent } from '../../ports';
import { BullmqJobQueue } from './bullmq-job-queue';

type ChildMessage =
  | { type: 'ready' }
  | { type: 'started'; id: string }
  | { type: 'aborted'; id: string; code: string | undefined };

/**
 * Cancellation across processes: the job runs in a forked worker process, the cancel comes from
 * this one (as an API replica would send it); the handler in the other process sees its signal
 * aborted with JOB_CANCELLED, and every process sees the job `cancelled`.
 */
describeWithRedis('BullmqJobQueue cancel across processes', () => {
  const prefix = uniqueName('aiscale_queue_cancel');
  const queueName = uniqueName('cancel');
  const producer = new BullmqJobQueue({ name: queueName, redisUrl: redisUrl(), prefix });
  let child: ChildProcess;

  beforeAll(async () => {
    const config = JSON.stringify({ redis: { url: redisUrl() }, prefix, queueName });
    child = forkTypeScript(join(__dirname, '__fixtures__', 'cancel-worker-process.ts'), [config], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    await nextMessage<ChildMessage>(child, 'ready');
  }, 30_000);

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    if (child) await exited(child);
    await producer.close();
    await deleteRedisKeys(`${prefix}:*`);
  }, 30_000);

  it('aborts the handler running in another process, which then reads the job as cancelled', async () => {
    const events: JobEvent[] = [];
    producer.subscribe((event) => events.push(event));
    const job = await producer.enqueue('long', { n: 1 }, { tenantId: 't' });
    const started = await nextMessage<Extract<ChildMessage, { type: 'started' }>>(child, 'started');
    expect(started.id).toBe(job.id);
    const aborted = nextMessage<Extract<ChildMessage, { type: 'aborted' }>>(child, 'aborted');
    await producer.cancel(job.id);
    expect(await aborted).toMatchObject({ id: job.id, code: 'JOB_CANCELLED' });
    await waitFor(async () => (await producer.getJob(job.id))?.state === 'cancelled', {
      message: 'the job to read cancelled',
    });
    await waitFor(() => events.some((event) => event.type === 'cancelled' && event.jobId === job.id), {
      message: 'a cancelled event in this process',
    });
    // The failed set only held it in passing: no dead letter, counted as cancelled.
    await waitFor(async () => (await producer.counts()).failed === 0, { message: 'the failed set to empty' });
    expect(await producer.listDeadLetters()).toEqual([]);
    expect((await producer.counts()).cancelled).toBe(1);
    // The worker process goes on: the next job runs (and is cancelled the same way).
    const next = await producer.enqueue('long', { n: 2 });
    await nextMessage(child, 'started');
    await producer.cancel(next.id);
    await waitFor(async () => (await producer.getJob(next.id))?.state === 'cancelled', {
      message: 'the second job to read cancelled',
    });
  }, 30_000);
});
