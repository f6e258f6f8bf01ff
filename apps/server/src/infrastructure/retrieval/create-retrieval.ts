import * as path from 'node:path';
import {
  type Embedder,
  LocalEmbedder,
  OpenAiCompatibleEmbedder,
  MemoryVectorStore,
  RetrievalService,
  type VectorStore,
} from '@ai-scale/retrieval';
import { type AppConfig } from '../../config';
import { type RetrievalModuleOptions } from './retrieval.module-definition';

/**
 * Picks the embedder (EMBEDDINGS) and the vector store (VECTOR_STORE) from the configuration; hybrid
 * search uses the package's defaults (chosen over two collections, docs/benchmarks.md) except for
 * RETRIEVAL_FEEDBACK and RETRIEVAL_VECTOR_WEIGHT.
 */
export async function createRetrieval(config: AppConfig): Promise<RetrievalModuleOptions> {
  const embedder = await createEmbedder(config);
  const store = await createVectorStore(config, embedder.dimensions);
  const retrieval = new RetrievalService({
    embedder,
    store,
    fusion: { vectorWeight: config.RETRIEVAL_VECTOR_WEIGHT },
    ...(config.RETRIEVAL_FEEDBACK ? {} : { feedback: false as const }),
  });
  return { retrieval, store, embedder };
}

async function createEmbedder(config: AppConfig): Promise<Embedder> {
  if (config.EMBEDDINGS === 'openai-compatible') {
    return new OpenAiCompatibleEmbedder({
      baseUrl: config.EMBEDDINGS_BASE_URL ?? '',
      model: config.EMBEDDINGS_MODEL ?? '',
      dimensions: config.EMBEDDINGS_DIMENSIONS,
      ...(config.EMBEDDINGS_API_KEY ? { apiKey: config.EMBEDDINGS_API_KEY } : {}),
    });
  }
  return new LocalEmbedder({ dimensions: config.EMBEDDINGS_DIMENSIONS });
}

async function createVectorStore(config: AppConfig, dimensions: number): Promise<VectorStore> {
  switch (config.VECTOR_STORE) {
    case 'memory':
      return new MemoryVectorStore({ dimensions });
    case 'lancedb': {
      const { LancedbVectorStore } = await import('@ai-scale/retrieval/lancedb');
      // API and worker in separate processes: each read checks for the other's writes (else the API
      // never sees what the worker indexed). One process (ROLE=all) sees its own writes already.
      const split = config.ROLE !== 'all';
      return LancedbVectorStore.open({
        uri: path.join(config.DATA_DIR, 'lancedb'),
        dimensions,
        ...(split ? { readConsistencyIntervalSeconds: 0 } : {}),
      });
    }
    case 'pinecone': {
      const { PineconeVectorStore } = await import('@ai-scale/retrieval/pinecone');
      return new PineconeVectorStore({
        apiKey: config.PINECONE_API_KEY ?? '',
        indexHost: config.PINECONE_HOST ?? '',
        dimensions,
      });
    }
  }
}
