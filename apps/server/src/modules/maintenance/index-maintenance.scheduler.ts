import { Injectable, Logger } from '@nestjs/common';
import { type JobQueue } from '@ai-scale/queue';
import { type AppConfig, InjectConfig } from '../../config';
import { InjectJobQueue } from '../../infrastructure/queue/queue.module';

export const OPTIMIZE_INDEX_JOB = 'retrieval.optimize';

/**
 * Debounces index maintenance: every ingestion asks for an optimize, and all the asks of one time
 * window (INDEX_OPTIMIZE_WINDOW_MS) become ONE `retrieval.optimize` job (idempotency key per window),
 * delayed to the end of the window so it runs after that window's ingestions. Best effort: a failure
 * to schedule is logged, never fails the ingestion (the next ingestion schedules again).
 */
@Injectable()
export class IndexMaintenanceScheduler {
  private readonly logger = new Logger('maintenance');

  constructor(
    @InjectJobQueue() private readonly queue: JobQueue,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  async requestOptimize(now = Date.now()): Promise<void> {
    const window = this.config.INDEX_OPTIMIZE_WINDOW_MS;
    const windowEnd = (Math.floor(now / window) + 1) * window;
    try {
      await this.queue.enqueue(
        OPTIMIZE_INDEX_JOB,
        {},
        {
          idempotencyKey: `${OPTIMIZE_INDEX_JOB}:${windowEnd}`,
          delayMs: windowEnd - now,
          attempts: 3,
          backoff: { type: 'exponential', baseMs: 5_000 },
        },
      );
    } catch (error) {
      this.logger.warn(`could not schedule ${OPTIMIZE_INDEX_JOB}: ${String(error)}`);
    }
  }
}
