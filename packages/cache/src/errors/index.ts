export { CacheError } from './cache.error';
export { CacheUnavailableError } from './cache-unavailable.error';
export { InvalidCacheKeyError } from './invalid-cache-key.error';
export { InvalidCacheValueError } from './invalid-cache-value.error';
export { InvalidCacheOptionsError } from './invalid-cache-options.error';
export { CacheValueTooLargeError } from './cache-value-too-large.error';
export { EmbeddingDimensionMismatchError } from './embedding-dimension-mismatch.error';
export { InvalidCacheRequestError } from './invalid-cache-request.error';
