export { CacheResponseCacheHook, type CacheResponseCacheHookOptions } from './cache-response-cache-hook';
