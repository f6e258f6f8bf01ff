export type { Chunk, ChunkMetadata, ChunkOptions, Chunker, ContentType } from './chunker';
export type { EmbedOptions, Embedder } from './embedder';
export type { EmbeddingCache } from './embedding-cache';
export type { Metadata, MetadataFilter, MetadataScalar } from './filter';
export type {
  KeywordQuery,
  MaintainableVectorStore,
  OptimizeReport,
  StoreHit,
  StoreQuery,
  StoredChunk,
  VectorQuery,
  VectorRecord,
  VectorStore,
  VectorStoreCapabilities,
  WeightedTerm,
} from './vector-store';
export { isMaintainableVectorStore } from './vector-store';
export type { RerankCandidate, RerankRequest, RerankedItem, Reranker } from './reranker';
export type {
  IngestDocumentInput,
  IngestOptions,
  IngestDocumentResult,
  RemoveDocumentInput,
  Retrieval,
  SearchInput,
  SearchMode,
  SearchResponse,
  SearchResult,
  SearchTimings,
} from './retrieval-service';
