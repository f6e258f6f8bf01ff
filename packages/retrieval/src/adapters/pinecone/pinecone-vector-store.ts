import { Pinecone, type Index, type RecordMetadata } from '@pinecone-database/pinecone';
import type {
  Metadata,
  MetadataScalar,
  StoreHit,
  StoreQuery,
  StoredChunk,
  VectorRecord,
  VectorStore,
  VectorStoreCapabilities,
} from '../../ports';
import {
  InvalidRetrievalRequestError,
  UnsupportedSearchModeError,
  VectorStoreUnavailableError,
} from '../../errors';
import { guardStoreCall } from '../../internal/store-guard';
import { checkQuery, checkRecords, requireTenant } from '../../internal/validate';
import { SYSTEM_KEYS, SYSTEM_PREFIX, toPineconeFilter } from './pinecone-filter';

export interface PineconeVectorStoreOptions {
  readonly apiKey: string;
  /** The index's data-plane host (from `describeIndex`), e.g. `https://chunks-abc.svc.aped-1.pinecone.io`. */
  readonly indexHost: string;
  /** Must match the index's dimension. The index must use the cosine metric. */
  readonly dimensions: number;
  /** Client-level retries of 5xx answers (default 3). */
  readonly maxRetries?: number;
  /** Vectors per upsert request (default 100; Pinecone caps a request at 2 MB / 1,000 vectors). */
  readonly upsertBatchSize?: number;
}

/**
 * Pinecone (serverless or pod index, cosine metric) through the official client. One namespace
 * per tenant: every call is issued on `index.namespace(tenantId)`, so a query cannot leave its
 * tenant whatever its filter. Chunk text and system fields travel as metadata under the reserved
 * `__ais_` prefix; user metadata is stored as-is, so Pinecone filters it natively.
 *
 * Keyword search is not offered (`capabilities.keyword = false`): Pinecone's sparse vectors need
 * a sparse encoder this package does not ship. The service serves `hybrid` as `vector` there.
 */
export class PineconeVectorStore implements VectorStore {
  readonly name = 'pinecone';
  readonly dimensions: number;
  readonly capabilities: VectorStoreCapabilities = { keyword: false, exact: false };
  private readonly index: Index<RecordMetadata>;
  private closed = false;

  constructor(private readonly options: PineconeVectorStoreOptions) {
    this.dimensions = options.dimensions;
    const client = new Pinecone({ apiKey: options.apiKey, maxRetries: options.maxRetries ?? 3 });
    this.index = client.index({ host: options.indexHost });
  }

  async upsert(tenantId: string, records: readonly VectorRecord[]): Promise<void> {
    const namespace = this.namespace(tenantId);
    checkRecords(records, this.dimensions);
    for (const record of records) {
      for (const key of Object.keys(record.metadata)) {
        if (key.startsWith(SYSTEM_PREFIX))
          throw new InvalidRetrievalRequestError({
            message: `metadata keys starting with ${SYSTEM_PREFIX} are reserved`,
          });
      }
    }
    const batch = this.options.upsertBatchSize ?? 100;
    for (let start = 0; start < records.length; start += batch) {
      const slice = records.slice(start, start + batch);
      await this.guard('upsert', () =>
        namespace.upsert({
          records: slice.map((record) => ({
            id: record.id,
            values: [...record.vector],
            metadata: {
              ...record.metadata,
              [SYSTEM_KEYS.documentId]: record.documentId,
              [SYSTEM_KEYS.ordinal]: record.ordinal,
              [SYSTEM_KEYS.contentHash]: record.contentHash,
              [SYSTEM_KEYS.text]: record.text,
            },
          })),
        }),
      );
    }
  }

  async deleteByIds(tenantId: string, ids: readonly string[]): Promise<void> {
    const namespace = this.namespace(tenantId);
    for (let start = 0; start < ids.length; start += 1000) {
      const slice = ids.slice(start, start + 1000);
      if (slice.length > 0) await this.guard('delete', () => namespace.deleteMany({ ids: slice }));
    }
  }

  async deleteByDocument(tenantId: string, documentId: string): Promise<void> {
    const namespace = this.namespace(tenantId);
    await this.guard('delete', () =>
      namespace.deleteMany({ filter: { [SYSTEM_KEYS.documentId]: { $eq: documentId } } }),
    );
  }

  async listByDocuments(tenantId: string, documentIds: readonly string[]): Promise<StoredChunk[]> {
    const namespace = this.namespace(tenantId);
    const chunks: StoredChunk[] = [];
    const unique = [...new Set(documentIds)];
    for (let start = 0; start < unique.length; start += 100) {
      const filter = { [SYSTEM_KEYS.documentId]: { $in: unique.slice(start, start + 100) } };
      let paginationToken: string | undefined;
      do {
        const page = await this.guard('list', () =>
          namespace.fetchByMetadata({ filter, limit: 1000, ...(paginationToken ? { paginationToken } : {}) }),
        );
        for (const record of Object.values(page.records))
          chunks.push(fromMetadata(record.id, record.metadata));
        paginationToken = page.pagination?.next;
      } while (paginationToken);
    }
    return chunks;
  }

  async fetch(tenantId: string, ids: readonly string[]): Promise<VectorRecord[]> {
    const namespace = this.namespace(tenantId);
    const records: VectorRecord[] = [];
    const unique = [...new Set(ids)];
    for (let start = 0; start < unique.length; start += 100) {
      const slice = unique.slice(start, start + 100);
      if (slice.length === 0) continue;
      const response = await this.guard('fetch', () => namespace.fetch({ ids: slice }));
      for (const record of Object.values(response.records)) {
        records.push({ ...fromMetadata(record.id, record.metadata), vector: [...(record.values ?? [])] });
      }
    }
    return records;
  }

  async search(tenantId: string, rawQuery: StoreQuery): Promise<StoreHit[]> {
    const namespace = this.namespace(tenantId);
    const query = checkQuery(rawQuery, this.dimensions);
    if (query.mode === 'keyword') {
      throw new UnsupportedSearchModeError({ message: 'the pinecone vector store has no keyword search' });
    }
    const filter = query.filter === undefined ? undefined : toPineconeFilter(query.filter);
    const response = await this.guard('query', () =>
      namespace.query({
        vector: [...query.vector],
        topK: query.topK,
        includeMetadata: true,
        includeValues: query.includeVectors === true,
        ...(filter ? { filter } : {}),
      }),
    );
    return response.matches.map((match) => ({
      ...fromMetadata(match.id, match.metadata),
      score: match.score ?? 0,
      ...(query.includeVectors ? { vector: [...(match.values ?? [])] } : {}),
    }));
  }

  async count(tenantId: string): Promise<number> {
    const namespaceName = requireTenant(tenantId);
    this.assertOpen();
    const stats = await this.guard('describe_index_stats', () => this.index.describeIndexStats());
    return stats.namespaces?.[namespaceName]?.recordCount ?? 0;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private namespace(tenantId: string): Index<RecordMetadata> {
    this.assertOpen();
    return this.index.namespace(requireTenant(tenantId));
  }

  private assertOpen(): void {
    if (this.closed)
      throw new VectorStoreUnavailableError({ message: 'the Pinecone vector store is closed' });
  }

  private guard<T>(operation: string, work: () => Promise<T>): Promise<T> {
    return guardStoreCall('Pinecone', operation, work);
  }
}

function fromMetadata(id: string, metadata: RecordMetadata | undefined): StoredChunk {
  const user: Record<string, MetadataScalar> = {};
  for (const [key, value] of Object.entries(metadata ?? {})) {
    if (
      !key.startsWith(SYSTEM_PREFIX) &&
      (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    )
      user[key] = value;
  }
  return {
    id,
    documentId: String(metadata?.[SYSTEM_KEYS.documentId] ?? ''),
    ordinal: Number(metadata?.[SYSTEM_KEYS.ordinal] ?? 0),
    contentHash: String(metadata?.[SYSTEM_KEYS.contentHash] ?? ''),
    text: String(metadata?.[SYSTEM_KEYS.text] ?? ''),
    metadata: user as Metadata,
  };
}
