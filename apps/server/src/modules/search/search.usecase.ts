import { Injectable } from '@nestjs/common';
import { type MetadataFilter, type Retrieval, type SearchMode } from '@ai-scale/retrieval';
import { guardDependency } from '../../infrastructure/readiness/dependency-guard';
import { InjectRetrieval } from '../../infrastructure/retrieval/retrieval.module';

@Injectable()
export class SearchUseCase {
  constructor(@InjectRetrieval() private readonly retrieval: Retrieval) {}

  /** The tenant's chunks only: the tenant id comes from the API key, never from the request body. */
  async execute(
    tenantId: string,
    input: {
      query: string;
      topK: number;
      mode: SearchMode;
      filter?: Record<string, unknown>;
      rerank: boolean;
    },
  ) {
    const response = await guardDependency('vector store', () =>
      this.retrieval.search({
        tenantId,
        query: input.query,
        topK: input.topK,
        mode: input.mode,
        filter: input.filter as MetadataFilter | undefined,
        rerank: input.rerank,
      }),
    );
    return { results: response.results, mode: response.mode, timings: response.timings };
  }
}
