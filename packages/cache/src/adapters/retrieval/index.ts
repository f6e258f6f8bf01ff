export { RetrievalVectorIndex, type RetrievalVectorStore } from './retrieval-vector-index';
