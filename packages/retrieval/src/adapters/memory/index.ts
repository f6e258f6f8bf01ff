export { MemoryVectorStore, type MemoryVectorStoreOptions } from './memory-vector-store';
