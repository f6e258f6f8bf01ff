export * from './ports';
export * from './errors';
export {
  MemoryKeyValueCache,
  type MemoryKeyValueCacheOptions,
} from './adapters/memory/memory-key-value-cache';
export { MemoryVectorIndex, type MemoryVectorIndexOptions } from './adapters/memory/memory-vector-index';
export { VectorSemanticCache, type VectorSemanticCacheOptions } from './semantic/vector-semantic-cache';
export {
  QuestionEmbedder,
  QUESTION_EMBEDDER_THRESHOLD,
  type QuestionEmbedderOptions,
} from './semantic/question-embedder';
export { questionTerms } from './semantic/question-representation';
export {
  extractKeyTerms,
  compareKeyTerms,
  type KeyTerms,
  type KeyTermDifference,
  type QuestionType,
} from './semantic/key-terms';
export { ResponseCache, type ResponseCacheOptions } from './response/response-cache';
export {
  buildResponseCacheKey,
  cacheability,
  semanticParts,
  validateCacheableRequest,
} from './response/response-cache-key';
export { normalizeMessageText, normalizeQuery } from './response/normalize';
