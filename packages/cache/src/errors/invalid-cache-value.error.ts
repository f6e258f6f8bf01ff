import { CacheError } from './cache.error';

/** A value is not JSON-serialisable (undefined, a function, a bigint, a cycle, NaN...). */
export class InvalidCacheValueError extends CacheError {
  readonly code = 'INVALID_CACHE_VALUE';
  readonly category = 'USER' as const;

  constructor(reason: string, cause?: unknown) {
    super({ message: `cache values must be JSON-serialisable: ${reason}`, cause, details: { reason } });
  }
}
