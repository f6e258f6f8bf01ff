export { BullmqJobQueue, BACKOFF_TYPE, type BullmqJobQueueOptions, type Retention } from './bullmq-job-queue';
export { BullmqJobWorker } from './bullmq-job-worker';
export { CLUSTER_PREFIX, type BullmqRedisConnection, type RedisNodeAddress } from './redis-connection';
