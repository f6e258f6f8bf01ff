import { LocalEmbedder, MemoryVectorStore } from '@ai-scale/retrieval';
import { MemoryKeyValueCache } from '../../adapters/memory/memory-key-value-cache';
import { ResponseCache } from '../../response/response-cache';
import { VectorSemanticCache } from '../../semantic/vector-semantic-cache';
import { llmResponseCacheContract } from '../../testing';
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

describe('RetrievalVectorIndex', () => {
  it('keeps partitions apart as store tenants and deletes them by prefix', async () => {
    const index = new RetrievalVectorIndex(new MemoryVectorStore({ dimensions: 2 }));
    await index.upsert('t:a/x', [{ id: '1', vector: [1, 0], payload: { answer: 'a' } }]);
    await index.upsert('t:b/x', [{ id: '1', vector: [1, 0], payload: { answer: 'b' } }]);
    expect((await index.query('t:a/x', [1, 0], 5)).map((match) => match.payload)).toEqual([{ answer: 'a' }]);
    expect(await index.deletePartitionsByPrefix('t:a/')).toBe(1);
    expect(await index.query('t:a/x', [1, 0], 5)).toEqual([]);
    expect(await index.query('t:b/x', [1, 0], 5)).toHaveLength(1);
    await expect(index.query('t:b/x', [1, 0, 0], 5)).rejects.toMatchObject({
      code: 'CACHE_EMBEDDING_DIMENSION_MISMATCH',
    });
  });
});
