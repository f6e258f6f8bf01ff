export {
  OpenAiCompatibleLlmProvider,
  type OpenAiCompatibleLlmProviderOptions,
} from './openai-compatible-llm-provider';
