import type { ContentType } from './chunker';
import type { Metadata, MetadataFilter } from './filter';

export type SearchMode = 'vector' | 'keyword' | 'hybrid';

export interface IngestDocumentInput {
  readonly tenantId: string;
  readonly documentId: string;
  readonly text: string;
  /** Copied onto every chunk of the document (filterable); keys `documentId`, `headingPath` are reserved. */
  readonly metadata?: Metadata;
  readonly contentType?: ContentType;
}

/** How an ingestion reports and stops: what a queue job passes down from its own context. */
export interface IngestOptions {
  /** Aborting stops before the next embedding batch (and the embedder's call in flight) and writes nothing. */
  readonly signal?: AbortSignal;
  /** After each embedding batch: texts embedded so far of those to embed (cache hits excluded). */
  readonly onProgress?: (progress: {
    readonly embedded: number;
    readonly total: number;
  }) => void | Promise<void>;
}

export interface IngestDocumentResult {
  readonly documentId: string;
  readonly chunks: {
    /** Chunks new to the store (embedded or taken from the cache). */
    readonly added: number;
    /** Chunks already stored with the same content: not embedded again. */
    readonly kept: number;
    /** Chunks of the previous version that no longer exist: deleted from the store. */
    readonly removed: number;
    readonly total: number;
  };
  /** Texts actually sent to the embedder (0 for an unchanged document). */
  readonly embedded: number;
  /** Embeddings served by the embedding cache. */
  readonly cacheHits: number;
  readonly durationMs: number;
}

export interface RemoveDocumentInput {
  readonly tenantId: string;
  readonly documentId: string;
}

export interface SearchInput {
  readonly tenantId: string;
  readonly query: string;
  /** Default 10, at most 100 (or the service's `maxTopK`). */
  readonly topK?: number;
  /** Default `hybrid` (falls back to `vector` on stores without keyword search). */
  readonly mode?: SearchMode;
  readonly filter?: MetadataFilter;
  /** Rerank the first-stage candidates with the service's reranker (ignored when it has none). */
  readonly rerank?: boolean;
}

export interface SearchResult {
  readonly chunkId: string;
  readonly documentId: string;
  readonly text: string;
  /** Higher is better; comparable only within one response (cosine, BM25, RRF or reranker score). */
  readonly score: number;
  /** The document's metadata plus `headingPath` (`A > B`) and `ordinal`. */
  readonly metadata: Metadata;
}

export interface SearchTimings {
  readonly embedMs: number;
  readonly searchMs: number;
  readonly rerankMs: number;
  readonly totalMs: number;
}

export interface SearchResponse {
  /** The mode actually served (see `SearchInput.mode`). */
  readonly mode: SearchMode;
  readonly results: SearchResult[];
  readonly timings: SearchTimings;
}

/**
 * What the server calls: ingestion (chunk → embed only what changed → upsert → delete removed) and
 * search (vector, keyword, hybrid by reciprocal rank fusion, optional rerank), tenant-scoped.
 *
 * Guarantees: re-ingesting an unchanged document embeds nothing; a changed one embeds only chunks
 * whose content hash is new (and not in the embedding cache) and deletes the chunks that vanished;
 * ingestion of one document is idempotent (safe to retry after a failure). Invalid input throws
 * `InvalidRetrievalRequestError` / `InvalidFilterError`, before any side effect.
 */
export interface Retrieval {
  ingestDocument(input: IngestDocumentInput, options?: IngestOptions): Promise<IngestDocumentResult>;
  /**
   * Many documents in one embedding pass and batched writes (bulk import). Per-document guarantees
   * as above; `embedded` and `cacheHits` of the whole batch are reported on the first result.
   */
  ingestDocuments(
    inputs: readonly IngestDocumentInput[],
    options?: IngestOptions,
  ): Promise<IngestDocumentResult[]>;
  removeDocument(input: RemoveDocumentInput): Promise<{ readonly removed: number }>;
  search(input: SearchInput): Promise<SearchResponse>;
}
