export { MemoryJobQueue, type MemoryJobQueueOptions } from './memory-job-queue';
export { MemoryJobWorker } from './memory-job-worker';
