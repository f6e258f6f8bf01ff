import type {
  StoreHit,
  StoreQuery,
  StoredChunk,
  VectorRecord,
  VectorStore,
  VectorStoreCapabilities,
} from '../../ports';
import { UnsupportedSearchModeError, VectorStoreUnavailableError } from '../../errors';
import { matchesFilter } from '../../filters/metadata-filter';
import { checkQuery, checkRecords, cosine, requireTenant } from '../../internal/validate';
import { Bm25Index, type Bm25Options } from '../../text/bm25-index';

export interface MemoryVectorStoreOptions {
  readonly dimensions: number;
  /** BM25 parameters and analyzer of keyword search. */
  readonly bm25?: Bm25Options;
}

interface TenantData {
  readonly records: Map<string, VectorRecord>;
  readonly keywords: Bm25Index;
}

/**
 * Exact search in process memory: a brute-force cosine scan and an in-memory BM25 index per
 * tenant. The reference implementation of the `VectorStore` contract, for tests, small corpora and
 * as the exact baseline of ANN recall. Nothing is persisted.
 */
export class MemoryVectorStore implements VectorStore {
  readonly name = 'memory';
  readonly dimensions: number;
  readonly capabilities: VectorStoreCapabilities = { keyword: true, exact: true, weightedTerms: true };
  private readonly tenants = new Map<string, TenantData>();
  private closed = false;

  constructor(private readonly options: MemoryVectorStoreOptions) {
    this.dimensions = options.dimensions;
  }

  async upsert(tenantId: string, records: readonly VectorRecord[]): Promise<void> {
    const tenant = this.tenant(tenantId, true) as TenantData;
    checkRecords(records, this.dimensions);
    for (const record of records) {
      const copy: VectorRecord = { ...record, vector: [...record.vector], metadata: { ...record.metadata } };
      tenant.records.set(record.id, copy);
      tenant.keywords.add(record.id, record.text);
    }
  }

  async deleteByIds(tenantId: string, ids: readonly string[]): Promise<void> {
    const tenant = this.tenant(tenantId, false);
    for (const id of ids) {
      tenant?.records.delete(id);
      tenant?.keywords.remove(id);
    }
  }

  async deleteByDocument(tenantId: string, documentId: string): Promise<void> {
    const tenant = this.tenant(tenantId, false);
    if (tenant === undefined) return;
    for (const record of [...tenant.records.values()]) {
      if (record.documentId === documentId) {
        tenant.records.delete(record.id);
        tenant.keywords.remove(record.id);
      }
    }
  }

  async listByDocuments(tenantId: string, documentIds: readonly string[]): Promise<StoredChunk[]> {
    const tenant = this.tenant(tenantId, false);
    const wanted = new Set(documentIds);
    const chunks: StoredChunk[] = [];
    for (const record of tenant?.records.values() ?? []) {
      if (wanted.has(record.documentId)) chunks.push(withoutVector(record));
    }
    return chunks;
  }

  async fetch(tenantId: string, ids: readonly string[]): Promise<VectorRecord[]> {
    const tenant = this.tenant(tenantId, false);
    const found: VectorRecord[] = [];
    for (const id of new Set(ids)) {
      const record = tenant?.records.get(id);
      if (record !== undefined) found.push({ ...record, vector: [...record.vector] });
    }
    return found;
  }

  async search(tenantId: string, rawQuery: StoreQuery): Promise<StoreHit[]> {
    const tenant = this.tenant(tenantId, false);
    const query = checkQuery(rawQuery, this.dimensions);
    if (tenant === undefined) return [];
    const accept = (record: VectorRecord): boolean =>
      query.filter === undefined ||
      matchesFilter(query.filter, { ...record.metadata, documentId: record.documentId });
    const hit = (record: VectorRecord, score: number): StoreHit => ({
      ...withoutVector(record),
      score,
      ...(query.includeVectors ? { vector: [...record.vector] } : {}),
    });
    if (query.mode === 'keyword') {
      if (!this.capabilities.keyword)
        throw new UnsupportedSearchModeError({ message: 'keyword search unsupported' });
      const accepted = (id: string): boolean => accept(tenant.records.get(id) as VectorRecord);
      const ranked =
        query.terms === undefined
          ? tenant.keywords.search(query.text, query.topK, accepted)
          : tenant.keywords.searchTerms(query.terms, query.topK, accepted);
      return ranked.map(({ id, score }) => hit(tenant.records.get(id) as VectorRecord, score));
    }
    const scored: { record: VectorRecord; score: number }[] = [];
    for (const record of tenant.records.values()) {
      if (accept(record)) scored.push({ record, score: cosine(query.vector, record.vector) });
    }
    scored.sort((left, right) => right.score - left.score || (left.record.id < right.record.id ? -1 : 1));
    return scored.slice(0, query.topK).map(({ record, score }) => hit(record, score));
  }

  async count(tenantId: string): Promise<number> {
    return this.tenant(tenantId, false)?.records.size ?? 0;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.tenants.clear();
  }

  private tenant(tenantId: string, create: boolean): TenantData | undefined {
    if (this.closed) throw new VectorStoreUnavailableError({ message: 'the memory vector store is closed' });
    requireTenant(tenantId);
    let tenant = this.tenants.get(tenantId);
    if (tenant === undefined && create) {
      tenant = { records: new Map(), keywords: new Bm25Index(this.options.bm25) };
      this.tenants.set(tenantId, tenant);
    }
    return tenant;
  }
}

export function withoutVector(record: VectorRecord): StoredChunk {
  return {
    id: record.id,
    documentId: record.documentId,
    ordinal: record.ordinal,
    contentHash: record.contentHash,
    text: record.text,
    metadata: { ...record.metadata },
  };
}
