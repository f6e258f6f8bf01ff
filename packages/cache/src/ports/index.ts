export type { JsonValue } from './json';
export type { KeyValueCache, CacheEntry, CacheEntryOptions, GetOrComputeOptions } from './key-value-cache';
export type { CacheEmbedder } from './embedder';
export type { VectorIndex, VectorIndexItem, VectorIndexMatch } from './vector-index';
export type {
  SemanticCache,
  SemanticScope,
  SemanticHit,
  SemanticStoreOptions,
  SemanticRejection,
  SemanticLookupDiagnostics,
} from './semantic-cache';
export type {
  LlmResponseCache,
  CacheableRequest,
  CacheableMessage,
  CacheableRole,
  CachePolicy,
  ResponseCacheHit,
  ResponseCacheStoreOptions,
  StoreOutcome,
  UncacheableReason,
} from './response-cache';
