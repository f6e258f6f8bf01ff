/**
 * One worker process of the multi-process test (forked by multi-process.int.test.ts). Its handler
 * performs one side effect per run that is NOT guarded (a counter per job key, incremented every
 * time the handler runs), so the test sees exactly what the queue delivers: at-least-once, each
 * duplicate counted. Idempotency belongs to the product's handlers and is tested there.
 *
 * Messages from the parent: `freeze` (from now on, block forever right after the side effect, to
 * be SIGKILLed with jobs in flight). SIGTERM: graceful shutdown.
 */
import { Redis } from 'ioredis';
import { BullmqJobQueue } from '../bullmq-job-queue';

interface Config {
  readonly redisUrl: string;
  readonly prefix: string;
  readonly queueName: string;
  readonly keys: string;
}

const config = JSON.parse(process.argv[2] as string) as Config;

async function main(): Promise<void> {
  const redis = new Redis(config.redisUrl);
  const queue = new BullmqJobQueue({
    name: config.queueName,
    redisUrl: config.redisUrl,
    prefix: config.prefix,
  });
  let frozen = false;
  process.on('message', (message) => {
    if (message === 'freeze') frozen = true;
  });
  const worker = queue.createWorker(
    {
      effect: async (job) => {
        const key = (job.payload as { key: string }).key;
        await new Promise((resolve) => setTimeout(resolve, 2));
        await redis.hincrby(`${config.keys}:effects`, key, 1);
        if (frozen) {
          process.send?.({ type: 'frozen', key });
          await new Promise(() => undefined); // this process is about to be killed mid-job
        }
        return { pid: process.pid };
      },
    },
    { concurrency: 5, lockDurationMs: 1_000, stalledIntervalMs: 300, maxStalledCount: 2 },
  );
  process.on('SIGTERM', () => {
    // A shutdown that hangs must show as a failure (exit code 2), not as a test that never ends.
    setTimeout(() => process.exit(2), 10_000).unref();
    void (async () => {
      await worker.close({ deadlineMs: 2_000 });
      await queue.close();
      await redis.quit();
      process.exit(0);
    })();
  });
  await worker.start();
  process.send?.({ type: 'ready' });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
