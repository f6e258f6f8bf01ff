import { createHash } from 'node:crypto';
import type { JsonValue, VectorIndex, VectorIndexItem, VectorIndexMatch } from '../../index';
import { CacheUnavailableError, EmbeddingDimensionMismatchError } from '../../index';

/**
 * The part of `@ai-scale/retrieval`'s `VectorStore` port this adapter uses. Declared here,
 * structurally, so `@ai-scale/cache` needs no dependency on retrieval: any of its stores (memory,
 * LanceDB, Pinecone) fits.
 */
export interface RetrievalVectorStore {
  readonly name: string;
  readonly dimensions: number;
  upsert(
    tenantId: string,
    records: ReadonlyArray<{
      readonly id: string;
      readonly documentId: string;
      readonly ordinal: number;
      readonly contentHash: string;
      readonly text: string;
      readonly vector: readonly number[];
      readonly metadata: Readonly<Record<string, string | number | boolean>>;
    }>,
  ): Promise<void>;
  deleteByIds(tenantId: string, ids: readonly string[]): Promise<void>;
  deleteByDocument(tenantId: string, documentId: string): Promise<void>;
  count(tenantId: string): Promise<number>;
  search(
    tenantId: string,
    query: { readonly mode: 'vector'; readonly vector: readonly number[]; readonly topK: number },
  ): Promise<ReadonlyArray<{ readonly id: string; readonly score: number; readonly text: string }>>;
}

/** All cache entries of a partition share this document id, so a partition is deleted in one call. */
const CACHE_DOCUMENT_ID = 'ai-scale-semantic-cache';

/**
 * A `VectorIndex` over a retrieval `VectorStore`: each cache partition is a store tenant (the store
 * keeps tenants apart by contract, so isolation does not depend on a filter), the payload is the
 * record's text (JSON), and similarity is the store's cosine score.
 *
 * Limits: `deletePartitionsByPrefix` only knows the partitions this instance wrote to (a store cannot
 * list tenants); entries written by other processes stay until their TTL is checked on read and the
 * response cache's tenant generation makes them unservable anyway. `close` does not close the store,
 * which the caller owns. Partition names over 256 characters are hashed.
 */
export class RetrievalVectorIndex implements VectorIndex {
  readonly name: string;
  private readonly partitions = new Set<string>();

  constructor(private readonly store: RetrievalVectorStore) {
    this.name = `retrieval:${store.name}`;
  }

  private tenantOf(partition: string): string {
    this.partitions.add(partition);
    return partition.length <= 256
      ? partition
      : `h:${createHash('sha256').update(partition).digest('base64url')}`;
  }

  private async call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (
        error !== null &&
        typeof error === 'object' &&
        (error as { code?: unknown }).code === 'DIMENSION_MISMATCH'
      ) {
        throw new EmbeddingDimensionMismatchError(this.store.dimensions, -1);
      }
      throw new CacheUnavailableError(`vector store ${operation}`, error);
    }
  }

  async upsert(partition: string, items: readonly VectorIndexItem[]): Promise<void> {
    for (const item of items) {
      if (item.vector.length !== this.store.dimensions) {
        throw new EmbeddingDimensionMismatchError(this.store.dimensions, item.vector.length);
      }
    }
    const tenantId = this.tenantOf(partition);
    await this.call('upsert', () =>
      this.store.upsert(
        tenantId,
        items.map((item) => ({
          id: item.id,
          documentId: CACHE_DOCUMENT_ID,
          ordinal: 0,
          contentHash: item.id,
          text: JSON.stringify(item.payload),
          vector: item.vector,
          metadata: {},
        })),
      ),
    );
  }

  async query(partition: string, vector: readonly number[], topK: number): Promise<VectorIndexMatch[]> {
    if (vector.length !== this.store.dimensions) {
      throw new EmbeddingDimensionMismatchError(this.store.dimensions, vector.length);
    }
    const tenantId = this.tenantOf(partition);
    const hits = await this.call('search', () =>
      this.store.search(tenantId, { mode: 'vector', vector, topK }),
    );
    return hits.map((hit) => ({
      id: hit.id,
      similarity: hit.score,
      payload: JSON.parse(hit.text) as JsonValue,
    }));
  }

  async delete(partition: string, ids: readonly string[]): Promise<void> {
    const tenantId = this.tenantOf(partition);
    await this.call('delete', () => this.store.deleteByIds(tenantId, ids));
  }

  async deletePartitionsByPrefix(prefix: string): Promise<number> {
    let deleted = 0;
    for (const partition of [...this.partitions].filter((name) => name.startsWith(prefix))) {
      const tenantId = this.tenantOf(partition);
      deleted += await this.call('count', () => this.store.count(tenantId));
      await this.call('delete', () => this.store.deleteByDocument(tenantId, CACHE_DOCUMENT_ID));
      this.partitions.delete(partition);
    }
    return deleted;
  }

  async close(): Promise<void> {
    this.partitions.clear();
  }
}
