import { deleteRedisKeys, describeWithRedis, redisUrl, uniqueName } from '@ai-scale/testkit';
import type { Embedder } from '../../ports';
import { LocalEmbedder } from '../../embedders/local-embedder';
import { MemoryVectorStore } from '../memory';
import { RetrievalService } from '../../service/retrieval-service';
import { embeddingCacheContract } from '../../testing';
import { RedisEmbeddingCache } from './index';

/** Counts the texts that reach the embedder: what a second worker must NOT send again. */
class CountingEmbedder implements Embedder {
  private readonly inner = new LocalEmbedder({ dimensions: 64 });
  readonly id = this.inner.id;
  readonly dimensions = 64;
  texts: string[] = [];
  embed(texts: readonly string[]): Promise<number[][]> {
    this.texts.push(...texts);
    return this.inner.embed(texts);
  }
}

const document = Array.from(
  { length: 8 },
  (_, index) => `## Part ${index}\nPart ${index} covers subject${index}, its history and its uses.`,
).join('\n\n');

describeWithRedis('RedisEmbeddingCache (real Redis)', () => {
  const prefix = `${uniqueName('emb')}:`;
  const caches: RedisEmbeddingCache[] = [];
  const open = (keyPrefix: string): RedisEmbeddingCache => {
    const cache = new RedisEmbeddingCache({ url: redisUrl(), keyPrefix });
    caches.push(cache);
    return cache;
  };
  afterAll(async () => {
    await Promise.all(caches.map((cache) => cache.close()));
    await deleteRedisKeys(`${prefix}*`);
  });

  let namespace = 0;
  let last = '';
  embeddingCacheContract({ describe, it }, () => open((last = `${prefix}contract-${(namespace += 1)}:`)), {
    createPeer: () => open(last),
  });

  it('two service instances (two workers) share it: the second embeds nothing', async () => {
    const keyPrefix = `${prefix}workers:`;
    const workers = [0, 1].map(() => {
      const embedder = new CountingEmbedder();
      // Each worker its own store, so only the shared cache can spare the second one the work.
      const service = new RetrievalService({
        embedder,
        store: new MemoryVectorStore({ dimensions: 64 }),
        embeddingCache: open(keyPrefix),
        chunkSize: 32,
        chunkOverlap: 0,
      });
      return { embedder, service };
    });
    const [first, second] = workers as [(typeof workers)[number], (typeof workers)[number]];
    const input = { tenantId: 't', documentId: 'd', text: document, contentType: 'markdown' as const };
    const one = await first.service.ingestDocument(input);
    expect(one.embedded).toBeGreaterThan(4);
    expect(first.embedder.texts).toHaveLength(one.embedded);

    const two = await second.service.ingestDocument(input);
    expect(two.chunks.total).toBe(one.chunks.total);
    expect(second.embedder.texts).toEqual([]);
    // And what the second worker indexed is what the first computed: same search, same ranking.
    const query = { tenantId: 't', query: 'subject3 history', topK: 3, mode: 'vector' as const };
    const [hitsOne, hitsTwo] = await Promise.all([first.service.search(query), second.service.search(query)]);
    expect(hitsTwo.results.map((hit) => [hit.chunkId, hit.score])).toEqual(
      hitsOne.results.map((hit) => [hit.chunkId, hit.score]),
    );
  });

  it('a Redis that does not answer is a miss: ingestion still embeds and completes', async () => {
    const unreachable = new RedisEmbeddingCache({ url: 'redis://127.0.0.1:1', commandTimeoutMs: 200 });
    caches.push(unreachable);
    const embedder = new CountingEmbedder();
    const service = new RetrievalService({
      embedder,
      store: new MemoryVectorStore({ dimensions: 64 }),
      embeddingCache: unreachable,
      chunkSize: 32,
      chunkOverlap: 0,
    });
    const result = await service.ingestDocument({
      tenantId: 't',
      documentId: 'd',
      text: document,
      contentType: 'markdown',
    });
    expect(result.embedded).toBe(result.chunks.total);
    expect(embedder.texts).toHaveLength(result.chunks.total);
  });
});
