export * from './job';
export * from './job-worker';
export * from './job-queue';
