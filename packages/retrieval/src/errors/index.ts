export { RetrievalError } from './retrieval.error';
export { InvalidFilterError } from './invalid-filter.error';
export { InvalidRetrievalRequestError } from './invalid-retrieval-request.error';
export { UnsupportedSearchModeError } from './unsupported-search-mode.error';
export { EmbeddingProviderError } from './embedding-provider.error';
export { RerankerProviderError } from './reranker-provider.error';
export { VectorStoreUnavailableError } from './vector-store-unavailable.error';
export { DimensionMismatchError } from './dimension-mismatch.error';
