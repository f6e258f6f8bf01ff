import { Redis } from 'ioredis';
import { describeWithRedis, redisUrl, uniqueName } from '@ai-scale/testkit';
import { jobQueueContract } from '../../testing';
import { BullmqJobQueue } from './bullmq-job-queue';
import type { BullmqJobWorker } from './bullmq-job-worker';

const prefix = uniqueName('aiscale_queue_contract');

async function deleteKeys(pattern: string): Promise<void> {
  const client = new Redis(redisUrl());
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

describeWithRedis('BullmqJobQueue (Redis)', () => {
  jobQueueContract(
    { describe, it, beforeAll, afterAll, afterEach },
    {
      createQueue: () => new BullmqJobQueue({ name: uniqueName('contract'), redisUrl: redisUrl(), prefix }),
      crashWorker: (worker) => (worker as BullmqJobWorker).simulateCrash(),
      cleanup: () => deleteKeys(`${prefix}:*`),
    },
  );
});
