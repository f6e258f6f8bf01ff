import { z } from 'zod';
import type { EmbedOptions, Embedder } from '../../ports';
import { EmbeddingProviderError, InvalidRetrievalRequestError } from '../../errors';
import { HttpJsonClient, type HttpJsonClientOptions } from '../../internal/http-json-client';

export interface OpenAiCompatibleEmbedderOptions extends HttpJsonClientOptions {
  /** e.g. `https://api.openai.com/v1`, `http://localhost:11434/v1` (Ollama), a vLLM or TEI server. */
  readonly baseUrl: string;
  readonly model: string;
  /** The model's vector size (checked on every response). */
  readonly dimensions: number;
  readonly apiKey?: string;
  /** Send `dimensions` in the request (models that can shorten vectors, e.g. text-embedding-3-*). */
  readonly requestDimensions?: boolean;
  /** Texts per request (default 96). */
  readonly batchSize?: number;
  readonly headers?: Readonly<Record<string, string>>;
}

const responseSchema = z.object({
  data: z.array(z.object({ index: z.number().int().nonnegative(), embedding: z.array(z.number()) })),
  model: z.string().optional(),
});

/**
 * Any server speaking OpenAI's `POST /embeddings`: batched (`batchSize` texts a request, batches
 * sent `concurrency` at a time), retried with backoff that honours `Retry-After`, every response
 * validated (count, indexes, dimensions) before it is trusted.
 */
export class OpenAiCompatibleEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  private readonly client: HttpJsonClient;
  private readonly url: string;

  constructor(private readonly options: OpenAiCompatibleEmbedderOptions) {
    if (!Number.isInteger(options.dimensions) || options.dimensions < 1) {
      throw new InvalidRetrievalRequestError({ message: 'dimensions must be a positive integer' });
    }
    this.dimensions = options.dimensions;
    this.url = `${options.baseUrl.replace(/\/+$/, '')}/embeddings`;
    this.id = `openai-compatible:${options.model}:${options.dimensions}`;
    this.client = new HttpJsonClient(
      options,
      (failure) =>
        new EmbeddingProviderError({
          message: `embedding request failed: ${failure.message}`,
          cause: failure.cause,
          isRetryable: failure.retryable,
          details: { status: failure.status, model: options.model },
        }),
    );
  }

  async embed(texts: readonly string[], options: EmbedOptions = {}): Promise<number[][]> {
    if (texts.length === 0) return [];
    const batchSize = this.options.batchSize ?? 96;
    const batches: (readonly string[])[] = [];
    for (let start = 0; start < texts.length; start += batchSize)
      batches.push(texts.slice(start, start + batchSize));
    const results = await Promise.all(batches.map((batch) => this.embedBatch(batch, options.signal)));
    return results.flat();
  }

  private async embedBatch(texts: readonly string[], signal: AbortSignal | undefined): Promise<number[][]> {
    const body = {
      model: this.options.model,
      input: texts,
      encoding_format: 'float',
      ...(this.options.requestDimensions ? { dimensions: this.dimensions } : {}),
    };
    const headers: Record<string, string> = { ...this.options.headers };
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    const raw = await this.client.post(this.url, body, headers, signal);
    const parsed = responseSchema.safeParse(raw);
    if (!parsed.success) {
      throw new EmbeddingProviderError({
        message: `unexpected embeddings response: ${parsed.error.message}`,
        isRetryable: false,
      });
    }
    const vectors: (number[] | undefined)[] = Array.from({ length: texts.length }, () => undefined);
    for (const item of parsed.data.data) {
      if (item.index >= texts.length || vectors[item.index] !== undefined) {
        throw new EmbeddingProviderError({
          message: `embeddings response has a bad or repeated index ${item.index}`,
          isRetryable: false,
        });
      }
      if (item.embedding.length !== this.dimensions) {
        throw new EmbeddingProviderError({
          message: `model ${this.options.model} returned ${item.embedding.length}-d vectors, configured for ${this.dimensions}`,
          isRetryable: false,
          details: { expected: this.dimensions, actual: item.embedding.length },
        });
      }
      vectors[item.index] = item.embedding;
    }
    if (vectors.some((vector) => vector === undefined)) {
      throw new EmbeddingProviderError({
        message: `embeddings response has ${parsed.data.data.length} vectors for ${texts.length} inputs`,
        isRetryable: false,
      });
    }
    return vectors as number[][];
  }
}
