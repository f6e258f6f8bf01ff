import { keyValueCacheContract } from '../../testing';
import { MemoryKeyValueCache } from './memory-key-value-cache';

keyValueCacheContract(
  { describe, it, afterEach },
  { create: async (options) => new MemoryKeyValueCache(options) },
  { lruEviction: true, crossInstanceSingleFlight: false },
);
