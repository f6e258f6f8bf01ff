export {
  ExtractiveLlmProvider,
  EXTRACTIVE_NO_CONTEXT,
  EXTRACTIVE_NO_MATCH,
  EXTRACTIVE_PREFIX,
  type ExtractiveLlmProviderOptions,
} from './extractive-llm-provider';
