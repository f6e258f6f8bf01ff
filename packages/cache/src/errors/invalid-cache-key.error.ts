import { CacheError } from './cache.error';

/** A namespace or key is empty, too long or contains characters the cache does not accept. */
export class InvalidCacheKeyError extends CacheError {
  readonly code = 'INVALID_CACHE_KEY';
  readonly category = 'USER' as const;

  constructor(what: 'namespace' | 'key' | 'tenantId' | 'prefix', reason: string) {
    super({ message: `invalid cache ${what}: ${reason}`, details: { what, reason } });
  }
}
