export { FakeLlmProvider, seededRandom, type FakeLlmProviderOptions } from './fake-llm-provider';
