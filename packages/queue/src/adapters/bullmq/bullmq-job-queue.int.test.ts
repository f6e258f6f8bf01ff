import { deleteRedisKeys, describeWithRedis, redisUrl, uniqueName } from '@ai-scale/testkit';
import { jobQueueContract } from '../../testing';
import { BullmqJobQueue } from './bullmq-job-queue';
import type { BullmqJobWorker } from './bullmq-job-worker';

const prefix = uniqueName('aiscale_queue_contract');

describeWithRedis('BullmqJobQueue (Redis)', () => {
  jobQueueContract(
    { describe, it, beforeAll, afterAll, afterEach },
    {
      createQueue: () => new BullmqJobQueue({ name: uniqueName('contract'), redisUrl: redisUrl(), prefix }),
      crashWorker: (worker) => (worker as BullmqJobWorker).simulateCrash(),
      cleanup: () => deleteRedisKeys(`${prefix}:*`),
    },
  );
});
