export {
  keyValueCacheContract,
  type ContractTestFunctions,
  type ContractCacheOptions,
  type KeyValueCacheHarness,
  type KeyValueCacheCapabilities,
} from './key-value-cache-contract';
export { ManualClock } from './manual-clock';
export { deferred, settle, eventually, type Deferred } from './deferred';
