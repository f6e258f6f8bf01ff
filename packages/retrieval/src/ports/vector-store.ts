import type { Metadata, MetadataFilter } from './filter';

/** One chunk as a store keeps it. */
export interface VectorRecord {
  /** Unique within a tenant. */
  readonly id: string;
  readonly documentId: string;
  readonly ordinal: number;
  readonly contentHash: string;
  readonly text: string;
  readonly vector: readonly number[];
  readonly metadata: Metadata;
}

/** A record without its vector, as listings return it. */
export type StoredChunk = Omit<VectorRecord, 'vector'>;

export interface VectorQuery {
  readonly mode: 'vector';
  readonly vector: readonly number[];
  readonly topK: number;
  readonly filter?: MetadataFilter;
  /** Return each hit's vector too (for MMR). */
  readonly includeVectors?: boolean;
}

/** An analyzed query term (the package's `analyze`: lowercased, stop words dropped, Porter-stemmed) and its weight. */
export interface WeightedTerm {
  readonly term: string;
  /** Multiplies the term's BM25 contribution; > 0. */
  readonly weight: number;
}

export interface KeywordQuery {
  readonly mode: 'keyword';
  /**
   * Free text, ranked by BM25 (or the store's full-text score). Never parsed as a query language.
   * A word repeated in the query counts as many times (Lucene's bag-of-words query): a paragraph-long
   * query that says `parallel` three times weighs it three times.
   */
  readonly text: string;
  /**
   * Already analyzed, weighted terms (an expanded query, e.g. pseudo-relevance feedback) ranked
   * instead of `text` by stores that declare `capabilities.weightedTerms`; `text` stays the fallback
   * for the others.
   */
  readonly terms?: readonly WeightedTerm[];
  readonly topK: number;
  readonly filter?: MetadataFilter;
  readonly includeVectors?: boolean;
}

export type StoreQuery = VectorQuery | KeywordQuery;

export interface StoreHit extends StoredChunk {
  /** Higher is better. Vector mode: cosine similarity; keyword mode: the store's text score. */
  readonly score: number;
  readonly vector?: readonly number[];
}

export interface VectorStoreCapabilities {
  /** The store ranks `keyword` queries itself (BM25 or equivalent). */
  readonly keyword: boolean;
  /** Results of vector search are exact (not approximate). */
  readonly exact: boolean;
  /** Keyword queries honour `terms` (weighted, analyzed terms), scored with the package's analyzer. */
  readonly weightedTerms?: boolean;
}

/**
 * Stores chunks with their vectors, per tenant.
 *
 * Tenant isolation: EVERY method takes `tenantId` as a required first argument, and an adapter must
 * never read, count, return or delete another tenant's records — whatever the filter says (filters
 * address metadata only; their values are data, never code). An empty tenant id is rejected with
 * `InvalidRetrievalRequestError`.
 *
 * Other guarantees:
 * - `upsert` is idempotent: writing a record whose id exists replaces it (no duplicate hit).
 *   Vectors of the wrong length are rejected with `DimensionMismatchError` before anything is written.
 * - Results are sorted by descending score, at most `topK`, and satisfy the filter.
 * - A malformed filter, or one on a field the store cannot filter on, throws `InvalidFilterError`.
 * - A mode the store cannot serve (see `capabilities`) throws `UnsupportedSearchModeError`.
 * - Writes are visible to the next call on the same instance (read-your-writes).
 * - Infrastructure failures throw `VectorStoreUnavailableError`.
 */
export interface VectorStore {
  /** `memory`, `lancedb`, `pinecone`: used as a telemetry attribute. */
  readonly name: string;
  readonly dimensions: number;
  readonly capabilities: VectorStoreCapabilities;
  upsert(tenantId: string, records: readonly VectorRecord[]): Promise<void>;
  /** Deletes the given ids; unknown ids are ignored. */
  deleteByIds(tenantId: string, ids: readonly string[]): Promise<void>;
  /** Deletes every chunk of a document; returns nothing, unknown documents are ignored. */
  deleteByDocument(tenantId: string, documentId: string): Promise<void>;
  /** The chunks of these documents (no vectors), in any order; one call for a whole ingestion batch. */
  listByDocuments(tenantId: string, documentIds: readonly string[]): Promise<StoredChunk[]>;
  /** Records with their vectors, for the given ids that exist (in any order). */
  fetch(tenantId: string, ids: readonly string[]): Promise<VectorRecord[]>;
  search(tenantId: string, query: StoreQuery): Promise<StoreHit[]>;
  /** Number of chunks the tenant has. */
  count(tenantId: string): Promise<number>;
  /** Releases connections and handles; the store is unusable afterwards. */
  close(): Promise<void>;
}

/**
 * Optional maintenance a store may offer (LanceDB: build/refresh its ANN and full-text indexes,
 * compact files). Slow (seconds to minutes): run it from a background job, never on a request path.
 */
export interface MaintainableVectorStore extends VectorStore {
  optimize(): Promise<OptimizeReport>;
}

export interface OptimizeReport {
  readonly rows: number;
  readonly indexes: readonly string[];
  readonly durationMs: number;
}

export function isMaintainableVectorStore(store: VectorStore): store is MaintainableVectorStore {
  return typeof (store as Partial<MaintainableVectorStore>).optimize === 'function';
}
