export * from './ports';
export * from './errors';
export { MemoryKeyValueCache, type MemoryKeyValueCacheOptions } from './adapters/memory';
