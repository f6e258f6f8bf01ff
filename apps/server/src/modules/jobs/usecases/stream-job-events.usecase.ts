import { Injectable } from '@nestjs/common';
import { type JobEvent, type JobQueue } from '@ai-scale/queue';
import { type SseStream } from '../../../common/sse/sse';
import { InjectJobQueue } from '../../../infrastructure/queue/queue.module';
import { toJobView } from '../job-view';
import { GetJobUseCase } from './get-job.usecase';

const FINAL = new Set<JobEvent['type']>(['completed', 'failed', 'cancelled']);

/**
 * Streams a job's events as SSE: first a `snapshot`, then each event of this job as it happens,
 * and the stream ends after `completed` or `failed`. Subscribes before reading the snapshot, so no
 * event between the two is lost.
 */
@Injectable()
export class StreamJobEventsUseCase {
  constructor(
    @InjectJobQueue() private readonly queue: JobQueue,
    private readonly getJob: GetJobUseCase,
  ) {}

  /** Checks ownership (throws NotFound before the stream opens); returns the function that streams. */
  async prepare(
    tenantId: string,
    jobId: string,
    afterSeq?: number,
  ): Promise<(stream: SseStream) => Promise<void>> {
    await this.getJob.execute(tenantId, jobId);
    return async (stream) => {
      const unsubscribe = this.queue.subscribe((event) => {
        if (event.jobId !== jobId) return;
        const seq = event.type === 'progress' ? progressSeq(event.progress) : undefined;
        // A resumed client saw every progress event up to its Last-Event-ID: none is sent twice.
        if (seq !== undefined && afterSeq !== undefined && seq <= afterSeq) return;
        stream.send(event.type, event, seq);
        if (FINAL.has(event.type)) void this.finish(stream, tenantId, jobId);
      });
      stream.onClose(unsubscribe);
      const job = await this.getJob.execute(tenantId, jobId);
      stream.send('snapshot', toJobView(job));
      if (job.state === 'completed' || job.state === 'failed' || job.state === 'cancelled') stream.close();
    };
  }

  private async finish(stream: SseStream, tenantId: string, jobId: string): Promise<void> {
    try {
      stream.send('snapshot', toJobView(await this.getJob.execute(tenantId, jobId)));
    } finally {
      stream.close();
    }
  }
}

/** The `seq` of a progress object (the ingestion processor numbers its reports), if any. */
function progressSeq(progress: unknown): number | undefined {
  if (typeof progress !== 'object' || progress === null) return undefined;
  const seq = (progress as { seq?: unknown }).seq;
  return typeof seq === 'number' && Number.isInteger(seq) ? seq : undefined;
}
