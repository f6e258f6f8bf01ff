export { AnthropicLlmProvider, type AnthropicLlmProviderOptions } from './anthropic-llm-provider';
