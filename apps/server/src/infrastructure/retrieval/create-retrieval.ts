import * as path from 'node:path';
import {
  type Embedder,
  LocalEmbedder,
  MemoryVectorStore,
  RetrievalService,
  type VectorStore,
} from '@ai-scale/retrieval';
import { type AppConfig } from '../../config';
import { type RetrievalModuleOptions } from './retrieval.module-definition';

/** Picks the embedder (EMBEDDINGS) and the vector store (VECTOR_STORE) from the configuration. */
export async function createRetrieval(config: AppConfig): Promise<RetrievalModuleOptions> {
  const embedder = await createEmbedder(config);
  const store = await createVectorStore(config, embedder.dimensions);
  return { retrieval: new RetrievalService({ embedder, store }), store, embedder };
}

async function createEmbedder(config: AppConfig): Promise<Embedder> {
  if (config.EMBEDDINGS === 'openai-compatible') {
    // TODO(retrieval): the openai-compatible embedder once @ai-scale/retrieval exports it.
    throw new Error('EMBEDDINGS=openai-compatible is not available in this build of @ai-scale/retrieval yet');
  }
  return new LocalEmbedder({ dimensions: config.EMBEDDINGS_DIMENSIONS });
}

async function createVectorStore(config: AppConfig, dimensions: number): Promise<VectorStore> {
  switch (config.VECTOR_STORE) {
    case 'memory':
      return new MemoryVectorStore({ dimensions });
    case 'lancedb': {
      const { LancedbVectorStore } = await import('@ai-scale/retrieval/lancedb');
      return LancedbVectorStore.open({ uri: path.join(config.DATA_DIR, 'lancedb'), dimensions });
    }
    case 'pinecone':
      throw new Error('VECTOR_STORE=pinecone is not available in this build of @ai-scale/retrieval yet');
  }
}
