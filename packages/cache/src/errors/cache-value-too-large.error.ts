import { CacheError } from './cache.error';

/** A serialised value is larger than the adapter's `maxValueBytes`; nothing was written. */
export class CacheValueTooLargeError extends CacheError {
  readonly code = 'CACHE_VALUE_TOO_LARGE';
  readonly category = 'USER' as const;

  constructor(
    readonly bytes: number,
    readonly maxBytes: number,
  ) {
    super({
      message: `cache value of ${bytes} bytes exceeds the limit of ${maxBytes} bytes`,
      details: { bytes, maxBytes },
    });
  }
}
