import { LocalEmbedder, MemoryVectorStore } from '@ai-scale/retrieval';
import { MemoryKeyValueCache } from '../../adapters/memory/memory-key-value-cache';
import { ResponseCache } from '../../response/response-cache';
import { VectorSemanticCache } from '../../semantic/vector-semantic-cache';
import { llmResponseCacheContract, vectorIndexContract } from '../../testing';
import { RetrievalVectorIndex } from './retrieval-vector-index';

// The semantic layer over @ai-scale/retrieval's own MemoryVectorStore and LocalEmbedder (the same
// port LanceDB and Pinecone implement), held to the same response-cache contract.
function createResponseCache(now: () => number): ResponseCache {
  const embedder = new LocalEmbedder({ dimensions: 256 });
  const store = new MemoryVectorStore({ dimensions: embedder.dimensions });
  return new ResponseCache({
    store: new MemoryKeyValueCache({ now }),
    semantic: new VectorSemanticCache({
      embedder,
      index: new RetrievalVectorIndex(store),
      threshold: 0.75,
      now,
    }),
    defaultTtlMs: 60_000,
    now,
  });
}

llmResponseCacheContract(
  { describe, it, afterEach },
  { create: async (now) => createResponseCache(now), close: async () => undefined },
  { sharedAcrossInstances: false },
);

vectorIndexContract(
  { describe, it, afterEach },
  async (dimensions) => new RetrievalVectorIndex(new MemoryVectorStore({ dimensions })),
);
