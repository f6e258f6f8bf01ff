import { Injectable } from '@nestjs/common';
import { type JobQueue, type JobRecord } from '@ai-scale/queue';
import { NotFoundError } from '../../../common/errors';
import { InjectJobQueue } from '../../../infrastructure/queue/queue.module';
import { guardDependency } from '../../../infrastructure/readiness/dependency-guard';

@Injectable()
export class GetJobUseCase {
  constructor(@InjectJobQueue() private readonly queue: JobQueue) {}

  /** The job if it belongs to the tenant; another tenant's job is indistinguishable from a missing one. */
  async execute(tenantId: string, jobId: string): Promise<JobRecord> {
    const job = await guardDependency('queue', () => this.queue.getJob(jobId));
    if (!job || job.tenantId !== tenantId) throw new NotFoundError('job', jobId);
    return job;
  }
}
