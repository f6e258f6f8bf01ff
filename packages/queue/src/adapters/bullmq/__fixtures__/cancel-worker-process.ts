/**
 * A worker process for the cross-process cancellation and liveness tests (forked by
 * cancel.int.test.ts): its `long` handler reports `started` over IPC, waits for its signal, reports
 * `aborted` with the abort reason's code, and returns. The parent cancels from its own process.
 */
import { BullmqJobQueue } from '../bullmq-job-queue';
import type { BullmqRedisConnection } from '../redis-connection';

interface Config {
  readonly redis: BullmqRedisConnection;
  readonly prefix?: string;
  readonly queueName: string;
}

const config = JSON.parse(process.argv[2] as string) as Config;

async function main(): Promise<void> {
  const queue = new BullmqJobQueue({
    name: config.queueName,
    redis: config.redis,
    ...(config.prefix === undefined ? {} : { prefix: config.prefix }),
  });
  const worker = queue.createWorker(
    {
      long: async ({ id, signal }) => {
        process.send?.({ type: 'started', id });
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
        const reason = signal.reason as { code?: string } | undefined;
        process.send?.({ type: 'aborted', id, code: reason?.code });
        return 'too late';
      },
    },
    { concurrency: 2, lockDurationMs: 5_000, stalledIntervalMs: 1_000 },
  );
  process.on('SIGTERM', () => {
    setTimeout(() => process.exit(2), 10_000).unref();
    void worker
      .close({ deadlineMs: 1_000 })
      .then(() => queue.close())
      .then(() => process.exit(0));
  });
  await worker.start();
  process.send?.({ type: 'ready' });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
