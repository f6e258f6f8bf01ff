export {
  keyValueCacheContract,
  type ContractTestFunctions,
  type ContractCacheOptions,
  type KeyValueCacheHarness,
  type KeyValueCacheCapabilities,
} from './key-value-cache-contract';
export { ManualClock } from './manual-clock';
export { deferred, settle, eventually, type Deferred } from './deferred';
export { llmResponseCacheContract, type LlmResponseCacheHarness } from './llm-response-cache-contract';
export { HashingEmbedder } from './hashing-embedder';
export { seededRandom } from './random';
export {
  evaluatePairs,
  parsePairs,
  scorePairs,
  ratesAt,
  calibrateThreshold,
  intentsOf,
  zipfStream,
  ReplayTally,
  type ReplaySummary,
  type LabeledQueryPair,
  type PairEvaluation,
  type ScoredPair,
  type ThresholdRates,
} from './evaluate-pairs';
export { vectorIndexContract, type VectorIndexContractOptions } from './vector-index-contract';
