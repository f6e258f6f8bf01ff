import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { type JobHandlers, type JobQueue, type JobWorker } from '@ai-scale/queue';
import { type AppConfig, InjectConfig } from '../config';
import { throttledLog } from '../infrastructure/queue/create-queue';
import { InjectJobQueue } from '../infrastructure/queue/queue.module';
import { ReadinessRegistry } from '../infrastructure/readiness/readiness.registry';
import { type JobProcessor } from './job-processor';

export const JOB_PROCESSORS = Symbol('JOB_PROCESSORS');

/** Starts one queue worker over every processor when the app boots; drains it gracefully on shutdown. */
@Injectable()
export class WorkerRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('worker');
  private worker: JobWorker | undefined;

  constructor(
    @InjectJobQueue() private readonly queue: JobQueue,
    @Inject(JOB_PROCESSORS) private readonly processors: JobProcessor[],
    @InjectConfig() private readonly config: AppConfig,
    private readonly readiness: ReadinessRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const handlers: Record<string, JobHandlers[string]> = {};
    for (const processor of this.processors) handlers[processor.jobName] = (job) => processor.process(job);
    this.worker = this.queue.createWorker(handlers, {
      concurrency: this.config.WORKER_CONCURRENCY,
      lockDurationMs: this.config.QUEUE_LOCK_DURATION_MS,
      stalledIntervalMs: this.config.QUEUE_STALLED_INTERVAL_MS,
      // The worker's own failures (lost Redis connection, a stopped loop): logged, never swallowed.
      onError: throttledLog(this.logger),
    });
    const worker = this.worker;
    // /health/ready names the worker when its loop died or its Redis connection stopped answering.
    this.readiness.register('worker', async () => {
      const health = worker.health();
      if (!health.healthy) {
        const reason = health.lastError ? `: ${health.lastError.kind} ${health.lastError.message}` : '';
        throw new Error(
          `worker not processing (running=${health.running}, redis=${health.backendReachable})${reason}`,
        );
      }
    });
    await this.worker.start();
    this.logger.log(
      `worker started: ${Object.keys(handlers).join(', ')} (concurrency ${this.config.WORKER_CONCURRENCY})`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close({ deadlineMs: Math.max(0, this.config.SHUTDOWN_TIMEOUT_MS - 1000) });
  }
}
