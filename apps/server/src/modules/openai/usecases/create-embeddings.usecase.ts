import { Injectable } from '@nestjs/common';
import { TiktokenCounter } from '@ai-scale/llm-gateway';
import { type Embedder } from '@ai-scale/retrieval';
import { InvalidRequestError } from '../../../common/errors';
import { InjectEmbedder } from '../../../infrastructure/retrieval/retrieval.module';
import { ModelNotFoundError } from '../model-not-found.error';
import { embeddingToBase64 } from '../openai-mapping';
import { AUTO_MODEL, type EmbeddingsRequest } from '../openai.types';

export interface EmbeddingsResponse {
  readonly object: 'list';
  readonly model: string;
  readonly data: ReadonlyArray<{
    readonly object: 'embedding';
    readonly index: number;
    readonly embedding: number[] | string;
  }>;
  readonly usage: { readonly prompt_tokens: number; readonly total_tokens: number };
}

/**
 * `POST /v1/openai/embeddings`: the server's own embedder (the one its documents are indexed with:
 * local, or EMBEDDINGS=openai-compatible), so a client's vectors live in the same space as the
 * tenant's index. `model` must name that embedder (its id, or the model part of `provider:model`,
 * or `auto`); `dimensions` must equal its dimensions (no truncation is done).
 */
@Injectable()
export class CreateEmbeddingsUseCase {
  /** Usage is counted with the o200k encoding (exact for OpenAI's embedding models, an estimate for others). */
  private readonly tokens = new TiktokenCounter();

  constructor(@InjectEmbedder() private readonly embedder: Embedder) {}

  modelIds(): string[] {
    const id = this.embedder.id;
    const bare = id.includes(':') ? id.slice(id.indexOf(':') + 1) : id;
    return [...new Set([id, bare])];
  }

  async execute(body: EmbeddingsRequest): Promise<EmbeddingsResponse> {
    if (body.model !== AUTO_MODEL && !this.modelIds().includes(body.model)) {
      throw new ModelNotFoundError(body.model, [AUTO_MODEL, ...this.modelIds()]);
    }
    if (body.dimensions !== undefined && body.dimensions !== this.embedder.dimensions) {
      throw new InvalidRequestError(
        `dimensions: this embedder produces ${this.embedder.dimensions} dimensions`,
        'dimensions',
      );
    }
    const inputs = typeof body.input === 'string' ? [body.input] : body.input;
    const vectors = await this.embedder.embed(inputs);
    const base64 = body.encoding_format === 'base64';
    const tokens = inputs.reduce((sum, text) => sum + this.tokens.count(text), 0);
    return {
      object: 'list',
      model: this.embedder.id,
      data: vectors.map((vector, index) => ({
        object: 'embedding',
        index,
        embedding: base64 ? embeddingToBase64(vector) : vector,
      })),
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    };
  }
}
