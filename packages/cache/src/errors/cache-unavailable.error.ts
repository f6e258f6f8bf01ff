import { CacheError } from './cache.error';

/**
 * The cache backend (Redis) could not be reached or answered with an error. Retryable. Callers on
 * the request path usually treat it as a miss and go to the model rather than fail the request.
 */
export class CacheUnavailableError extends CacheError {
  readonly code = 'CACHE_UNAVAILABLE';
  readonly category = 'SYSTEM' as const;

  constructor(operation: string, cause?: unknown) {
    super({
      message: `cache backend unavailable during ${operation}${cause instanceof Error ? `: ${cause.message}` : ''}`,
      cause,
      details: { operation },
    });
  }
}
