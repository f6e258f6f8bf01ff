export * from './ports';
export * from './errors';
export { RecursiveTokenChunker, type RecursiveTokenChunkerOptions } from './chunking/recursive-token-chunker';
export { tiktokenCounter, type TokenCounter } from './chunking/token-counter';
export { LocalEmbedder, type LocalEmbedderOptions } from './embedders/local-embedder';
export { MemoryVectorStore, type MemoryVectorStoreOptions } from './adapters/memory';
export { parseMetadataFilter, matchesFilter } from './filters/metadata-filter';
export { Bm25Index, queryTermWeights, type Bm25Options } from './text/bm25-index';
export { rm3Expansion, type FeedbackDocument, type Rm3Options } from './text/rm3';
export { analyze, ENGLISH_STOP_WORDS, LUCENE_STOP_WORDS, type AnalyzerOptions } from './text/analyzer';
export {
  RetrievalService,
  type FeedbackOptions,
  type RetrievalServiceOptions,
} from './service/retrieval-service';
export { rocchioVector } from './service/rocchio';
export { LruEmbeddingCache } from './service/lru-embedding-cache';
export { reciprocalRankFusion, type RankedList } from './service/reciprocal-rank-fusion';
export { MmrReranker, type MmrRerankerOptions } from './rerankers/mmr-reranker';
export { OpenAiCompatibleEmbedder, type OpenAiCompatibleEmbedderOptions } from './adapters/openai-compatible';
export { CohereReranker, type CohereRerankerOptions } from './adapters/cohere';
