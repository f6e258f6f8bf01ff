import { z } from 'zod';
import type { RerankRequest, RerankedItem, Reranker } from '../../ports';
import { RerankerProviderError } from '../../errors';
import { HttpJsonClient, type HttpJsonClientOptions } from '../../internal/http-json-client';

export interface CohereRerankerOptions extends HttpJsonClientOptions {
  /** e.g. `https://api.cohere.com` (the adapter posts to `{baseUrl}/v1/rerank`); also Jina, TEI, vLLM rerank servers. */
  readonly baseUrl: string;
  readonly model: string;
  readonly apiKey?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

const responseSchema = z.object({
  results: z.array(z.object({ index: z.number().int().nonnegative(), relevance_score: z.number() })),
});

/** A cross-encoder behind Cohere's `POST /v1/rerank` (or any server speaking it). */
export class CohereReranker implements Reranker {
  readonly id: string;
  readonly needsVectors = false;
  private readonly client: HttpJsonClient;
  private readonly url: string;

  constructor(private readonly options: CohereRerankerOptions) {
    this.id = `cohere:${options.model}`;
    this.url = `${options.baseUrl.replace(/\/+$/, '')}/v1/rerank`;
    this.client = new HttpJsonClient(
      options,
      (failure) =>
        new RerankerProviderError({
          message: `rerank request failed: ${failure.message}`,
          cause: failure.cause,
          isRetryable: failure.retryable,
          details: { status: failure.status, model: options.model },
        }),
    );
  }

  async rerank(request: RerankRequest): Promise<RerankedItem[]> {
    if (request.candidates.length === 0) return [];
    const headers: Record<string, string> = { ...this.options.headers };
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    const raw = await this.client.post(
      this.url,
      {
        model: this.options.model,
        query: request.query,
        documents: request.candidates.map((candidate) => candidate.text),
        top_n: Math.min(request.topK, request.candidates.length),
        return_documents: false,
      },
      headers,
    );
    const parsed = responseSchema.safeParse(raw);
    if (!parsed.success) {
      throw new RerankerProviderError({
        message: `unexpected rerank response: ${parsed.error.message}`,
        isRetryable: false,
      });
    }
    const seen = new Set<number>();
    const items: RerankedItem[] = [];
    for (const result of parsed.data.results) {
      if (result.index >= request.candidates.length || seen.has(result.index)) {
        throw new RerankerProviderError({
          message: `rerank response has a bad or repeated index ${result.index}`,
          isRetryable: false,
        });
      }
      seen.add(result.index);
      items.push({ index: result.index, score: result.relevance_score });
    }
    return items.sort((left, right) => right.score - left.score).slice(0, request.topK);
  }
}
