export {
  llmProviderContract,
  type ContractTestApi,
  type LlmProviderContractCapabilities,
  type LlmProviderFixture,
} from './llm-provider-contract';
export {
  startFakeOpenAiServer,
  type FakeOpenAiServer,
  type FakeOpenAiServerOptions,
  type OpenAiWireRequest,
} from './fake-openai-server';
export type {
  FakeServerOptions,
  FakeServerStats,
  FaultKind,
  FaultRates,
  LatencyDistribution,
} from './fake-server-common';
export { deterministicEmbedding } from './fake-server-common';
export { usageLedgerContract, type UsageLedgerFixture } from './usage-ledger-contract';
export {
  startFakeAnthropicServer,
  type FakeAnthropicServer,
  type AnthropicWireRequest,
} from './fake-anthropic-server';
export { budgetReservationsContract, type BudgetReservationsFixture } from './budget-reservations-contract';
export { rateLimiterContract, type RateLimiterFixture } from './rate-limiter-contract';
