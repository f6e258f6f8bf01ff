import {
  ExtractiveLlmProvider,
  FakeLlmProvider,
  MemoryUsageLedger,
  type UsageLedger,
} from '@ai-scale/llm-gateway';
import { OpenAiCompatibleLlmProvider } from '@ai-scale/llm-gateway/openai-compatible';
import { type AppConfig } from '../../config';
import { type LlmModuleOptions } from './llm.module-definition';
import { TypeormUsageLedger } from './typeorm-usage-ledger';
import { type DataSource } from 'typeorm';
import { type ProviderRoute, SimpleLlmGateway } from './simple-llm-gateway';

const FREE = { prompt: 0, completion: 0 };
// Rough list prices (USD per million tokens) for the default models; unknown models are priced as gpt-4o-mini.
const PRICES: Record<string, { prompt: number; completion: number }> = {
  'gpt-4o-mini': { prompt: 0.15, completion: 0.6 },
  'gpt-4o': { prompt: 2.5, completion: 10 },
};

/** Builds the ordered provider routes of LLM_PROVIDERS (first primary, the rest fallbacks). */
export async function createLlm(
  config: AppConfig,
  dataSource: DataSource | undefined,
): Promise<LlmModuleOptions> {
  const routes: ProviderRoute[] = config.LLM_PROVIDERS.map((spec) => {
    switch (spec.provider) {
      case 'extractive':
        return { provider: new ExtractiveLlmProvider(), model: spec.model ?? 'extractive', pricing: FREE };
      case 'fake':
        return { provider: new FakeLlmProvider(), model: spec.model ?? 'fake', pricing: FREE };
      case 'openai':
      case 'openai-compatible': {
        const model = spec.model ?? 'gpt-4o-mini';
        return {
          provider: new OpenAiCompatibleLlmProvider({
            baseUrl: config.OPENAI_BASE_URL ?? 'https://api.openai.com/v1',
            apiKey: config.OPENAI_API_KEY,
            name: spec.provider,
          }),
          model,
          pricing: PRICES[model] ?? PRICES['gpt-4o-mini'] ?? FREE,
        };
      }
      case 'anthropic':
        // TODO(llm-gateway): the anthropic adapter once `@ai-scale/llm-gateway/anthropic` is published.
        throw new Error(
          'LLM_PROVIDERS=anthropic is not available in this build of @ai-scale/llm-gateway yet',
        );
    }
  });
  const ledger: UsageLedger = dataSource ? new TypeormUsageLedger(dataSource) : new MemoryUsageLedger();
  return { gateway: new SimpleLlmGateway(routes, ledger), ledger };
}
