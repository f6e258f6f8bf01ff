export * from './ports';
export * from './errors';
export { FakeLlmProvider, seededRandom, type FakeLlmProviderOptions } from './adapters/fake';
export * from './adapters/extractive';
export { messagesWithContext, renderContext, lastUserText } from './prompt/render-context';
export {
  ApproximateTokenCounter,
  TiktokenCounter,
  countPromptTokens,
  type TokenCounter,
} from './tokens/token-counter';
export * from './gateway';
export {
  PriceTable,
  type ModelPrice,
  type PriceTableData,
  type UnknownModelPolicy,
} from './pricing/price-table';
export { MemoryBudgetReservations, MemoryRateLimiter, MemoryUsageLedger } from './adapters/memory';
export { CacheResponseCacheHook, type CacheResponseCacheHookOptions } from './adapters/cache';
