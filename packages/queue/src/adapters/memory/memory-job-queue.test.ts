import { jobQueueContract } from '../../testing';
import { MemoryJobQueue } from './memory-job-queue';
import type { MemoryJobWorker } from './memory-job-worker';

let counter = 0;

jobQueueContract(
  { describe, it, beforeAll, afterAll, afterEach },
  {
    createQueue: () => new MemoryJobQueue({ name: `memory-contract-${++counter}` }),
    crashWorker: (worker) => (worker as MemoryJobWorker).simulateCrash(),
  },
);
