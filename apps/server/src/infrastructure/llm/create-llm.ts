import {
  type BudgetReservations,
  createLlmGateway,
  ExtractiveLlmProvider,
  FakeLlmProvider,
  type LlmProvider,
  MemoryBudgetReservations,
  MemoryRateLimiter,
  MemoryUsageLedger,
  type ModelDefinition,
  PriceTable,
  type ProviderLimits,
  type RateLimiter,
  type UsageLedger,
} from '@ai-scale/llm-gateway';
import { type DataSource } from 'typeorm';
import { type AppConfig, type LlmProviderName } from '../../config';
import { createConfiguredRedisClient } from '../redis/redis-connection';
import { type LlmModuleOptions } from './llm.module-definition';
import { TenantLlmLimits } from './tenant-llm-limits';

const DEFAULT_MODEL: Record<LlmProviderName, string> = {
  extractive: 'extractive',
  fake: 'fake',
  openai: 'gpt-4o-mini',
  'openai-compatible': 'gpt-4o-mini',
  anthropic: 'claude-haiku-4-5',
};

/** Providers that cost nothing: their models are priced at 0 without a price-table entry. */
const FREE_PROVIDERS: ReadonlySet<LlmProviderName> = new Set(['extractive', 'fake']);

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
  const providers = new Map<LlmProviderName, LlmProvider>();
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
  const unknown = config.LLM_UNKNOWN_MODEL_PRICE;
  const free = models.filter((model) => FREE_PROVIDERS.has(model.provider as LlmProviderName));
  // A configured model without a price fails start-up here (LLM_UNKNOWN_MODEL_PRICE=refuse).
  const prices = new PriceTable(
    undefined,
    unknown === 'refuse' || unknown === 'zero' ? unknown : { usdPerMillion: unknown },
  ).withModels(Object.fromEntries(free.map((model) => [model.id, { input: 0, output: 0, cachedInput: 0 }])));
  const stores = await limitStores(config);
  const tenants = new TenantLlmLimits(dataSource, config);
  const providerLimits: ProviderLimits = {
    ...(config.LLM_PROVIDER_RPM ? { rpm: config.LLM_PROVIDER_RPM } : {}),
    ...(config.LLM_PROVIDER_TPM ? { tpm: config.LLM_PROVIDER_TPM } : {}),
  };
  const gateway = createLlmGateway({
    providers: [...providers.entries()].map(([name, provider]) => ({
      provider,
      ...(FREE_PROVIDERS.has(name) ? {} : { limits: providerLimits }),
    })),
    models,
    routes: { large, small },
    ledger,
    prices,
    budgets: (tenantId) => tenants.budget(tenantId),
    tenantLimits: (tenantId) => tenants.limits(tenantId),
    reservations: stores.reservations,
    rateLimiter: stores.rateLimiter,
    deadlineMs: 60_000,
  });
  return { gateway, ledger, models: models.map((model) => model.id), close: stores.close };
}

/**
 * Budget reservations and LLM rate limits: in Redis (one admission gate for every replica; the
 * ledger stays the record and reseeds a lost counter) or in this process.
 */
async function limitStores(config: AppConfig): Promise<{
  reservations: BudgetReservations;
  rateLimiter: RateLimiter;
  close: () => Promise<void>;
}> {
  const store = config.LLM_LIMITS_STORE ?? (config.CACHE_DRIVER === 'redis' ? 'redis' : 'memory');
  if (store === 'memory') {
    return {
      reservations: new MemoryBudgetReservations(),
      rateLimiter: new MemoryRateLimiter(),
      close: async () => {},
    };
  }
  const { RedisBudgetReservations, RedisRateLimiter } = await import('@ai-scale/llm-gateway/redis');
  const client = createConfiguredRedisClient(config, { maxRetriesPerRequest: 1, connectTimeout: 1_000 });
  client.on('error', () => undefined);
  const prefix = `${config.CACHE_PREFIX}:llm`;
  return {
    reservations: new RedisBudgetReservations({ client, prefix }),
    rateLimiter: new RedisRateLimiter({ client, prefix }),
    close: async () => {
      await client.quit().catch(() => client.disconnect());
    },
  };
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
