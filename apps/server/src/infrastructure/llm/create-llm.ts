import {
  createLlmGateway,
  ExtractiveLlmProvider,
  FakeLlmProvider,
  type LlmProvider,
  MemoryUsageLedger,
  type ModelDefinition,
  type UsageLedger,
} from '@ai-scale/llm-gateway';
import { type DataSource } from 'typeorm';
import { type AppConfig, type LlmProviderName } from '../../config';
import { type LlmModuleOptions } from './llm.module-definition';

const DEFAULT_MODEL: Record<LlmProviderName, string> = {
  extractive: 'extractive',
  fake: 'fake',
  openai: 'gpt-4o-mini',
  'openai-compatible': 'gpt-4o-mini',
  anthropic: 'claude-3-5-haiku-latest',
};

/**
 * The routing gateway of @ai-scale/llm-gateway. LLM_PROVIDERS, in order, is the large tier: the first
 * model the primary, the next ones its fallbacks. LLM_SMALL_PROVIDERS, when set, is the small tier's
 * chain (simple requests and conversation summaries go there: "use smaller models where possible");
 * unset, the small tier uses the large tier's chain. Usage is recorded in the ledger
 * (PostgreSQL/SQLite rows shared by every replica).
 */
export async function createLlm(
  config: AppConfig,
  dataSource: DataSource | undefined,
): Promise<LlmModuleOptions> {
  const providers = new Map<string, LlmProvider>();
  const models: ModelDefinition[] = [];
  const chain = async (specs: AppConfig['LLM_PROVIDERS']): Promise<string[]> => {
    const ids: string[] = [];
    for (const spec of specs) {
      const providerModel = spec.model ?? DEFAULT_MODEL[spec.provider];
      if (!providers.has(spec.provider))
        providers.set(spec.provider, await createProvider(spec.provider, config));
      // The model id is the provider's model name (what prices and the `model` field of a chat
      // request use); the same name served by two providers gets the provider as a prefix.
      const taken = models.some((model) => model.id === providerModel && model.provider !== spec.provider);
      const id = taken ? `${spec.provider}:${providerModel}` : providerModel;
      if (!models.some((model) => model.id === id)) {
        models.push({ id, provider: spec.provider, providerModel, contextWindow: 128_000 });
      }
      if (!ids.includes(id)) ids.push(id);
    }
    return ids;
  };
  const large = await chain(config.LLM_PROVIDERS);
  const small = config.LLM_SMALL_PROVIDERS ? await chain(config.LLM_SMALL_PROVIDERS) : large;
  let ledger: UsageLedger = new MemoryUsageLedger();
  if (dataSource) {
    const { TypeormUsageLedger } = await import('@ai-scale/llm-gateway/typeorm');
    ledger = new TypeormUsageLedger({ dataSource });
  }
  const gateway = createLlmGateway({
    providers: [...providers.values()].map((provider) => ({ provider })),
    models,
    routes: { large, small },
    ledger,
    deadlineMs: 60_000,
  });
  return { gateway, ledger, models: models.map((model) => model.id) };
}

async function createProvider(name: LlmProviderName, config: AppConfig): Promise<LlmProvider> {
  switch (name) {
    case 'extractive':
      return new ExtractiveLlmProvider();
    case 'fake':
      return new FakeLlmProvider();
    case 'openai':
    case 'openai-compatible': {
      const { OpenAiCompatibleLlmProvider } = await import('@ai-scale/llm-gateway/openai-compatible');
      return new OpenAiCompatibleLlmProvider({
        baseUrl: config.OPENAI_BASE_URL ?? 'https://api.openai.com/v1',
        apiKey: config.OPENAI_API_KEY,
        name,
      });
    }
    case 'anthropic': {
      const { AnthropicLlmProvider } = await import('@ai-scale/llm-gateway/anthropic');
      return new AnthropicLlmProvider({
        apiKey: config.ANTHROPIC_API_KEY ?? '',
        ...(config.ANTHROPIC_BASE_URL ? { baseUrl: config.ANTHROPIC_BASE_URL } : {}),
      });
    }
  }
}
