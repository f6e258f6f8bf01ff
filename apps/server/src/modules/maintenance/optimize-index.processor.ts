import { Inject, Injectable, Logger } from '@nestjs/common';
import { type JobContext } from '@ai-scale/queue';
import { isMaintainableVectorStore, type OptimizeReport, type VectorStore } from '@ai-scale/retrieval';
import { VECTOR_STORE } from '../../infrastructure/retrieval/retrieval.module';
import { type JobProcessor } from '../../worker/job-processor';
import { OPTIMIZE_INDEX_JOB } from './index-maintenance.scheduler';

export type OptimizeIndexResult =
  (OptimizeReport & { readonly optimized: true }) | { readonly optimized: false };

/**
 * The `retrieval.optimize` job: asks the vector store to build or refresh its indexes (LanceDB: ANN
 * and full-text indexes, compaction). Slow, so only ever run here in a worker, never on a request
 * path. A store without maintenance (memory, Pinecone) makes it a no-op.
 */
@Injectable()
export class OptimizeIndexProcessor implements JobProcessor<Record<string, never>, OptimizeIndexResult> {
  readonly jobName = OPTIMIZE_INDEX_JOB;
  private readonly logger = new Logger('maintenance');

  constructor(@Inject(VECTOR_STORE) private readonly store: VectorStore) {}

  async process(job: JobContext<Record<string, never>>): Promise<OptimizeIndexResult> {
    if (!isMaintainableVectorStore(this.store)) return { optimized: false };
    job.signal.throwIfAborted();
    const report = await this.store.optimize();
    this.logger.log(
      `vector index optimized: ${report.rows} rows, built [${report.indexes.join(', ')}] in ${Math.round(report.durationMs)} ms`,
    );
    return { optimized: true, ...report };
  }
}
