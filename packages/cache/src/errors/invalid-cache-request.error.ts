import { CacheError } from './cache.error';

/** A `CacheableRequest` is malformed: no messages, an empty model route, a negative temperature... */
export class InvalidCacheRequestError extends CacheError {
  readonly code = 'INVALID_CACHE_REQUEST';
  readonly category = 'USER' as const;

  constructor(field: string, reason: string) {
    super({ message: `invalid cacheable request: ${field} ${reason}`, details: { field, reason } });
  }
}
