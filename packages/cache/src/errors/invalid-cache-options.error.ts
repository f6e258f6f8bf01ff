import { CacheError } from './cache.error';

/** An option is out of range: a negative TTL, a similarity threshold outside [0, 1], a zero bound. */
export class InvalidCacheOptionsError extends CacheError {
  readonly code = 'INVALID_CACHE_OPTIONS';
  readonly category = 'USER' as const;

  constructor(option: string, reason: string) {
    super({ message: `invalid cache option ${option}: ${reason}`, details: { option, reason } });
  }
}
