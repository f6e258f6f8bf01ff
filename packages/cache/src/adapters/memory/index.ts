export { MemoryKeyValueCache, type MemoryKeyValueCacheOptions } from './memory-key-value-cache';
