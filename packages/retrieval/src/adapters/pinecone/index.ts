export { PineconeVectorStore, type PineconeVectorStoreOptions } from './pinecone-vector-store';
export { toPineconeFilter } from './pinecone-filter';
