import { Injectable } from '@nestjs/common';
import { type JobQueue, type JobRecord } from '@ai-scale/queue';
import { InjectJobQueue } from '../../../infrastructure/queue/queue.module';
import { guardDependency } from '../../../infrastructure/readiness/dependency-guard';
import { GetJobUseCase } from './get-job.usecase';

@Injectable()
export class CancelJobUseCase {
  constructor(
    @InjectJobQueue() private readonly queue: JobQueue,
    private readonly getJob: GetJobUseCase,
  ) {}

  /**
   * Cancels the tenant's job: a queued one never runs, a running one has its signal aborted in
   * whichever worker runs it (an ingestion stops between stages, an agent run ends `cancelled`).
   * Idempotent; `JOB_ALREADY_FINISHED` (409) once it completed or failed; another tenant's job is 404.
   * Resolves with the job once the worker saw the request (or after a short wait, still `active`).
   */
  async execute(tenantId: string, jobId: string, settleMs = 5_000): Promise<JobRecord> {
    await this.getJob.execute(tenantId, jobId);
    let job = await guardDependency('queue', () => this.queue.cancel(jobId));
    const deadline = Date.now() + settleMs;
    while (job.state === 'active' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      job = (await this.queue.getJob(jobId)) ?? job;
    }
    return job;
  }
}
