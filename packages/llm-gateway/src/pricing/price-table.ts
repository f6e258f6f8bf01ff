import { UnknownModelPriceError } from '../errors/unknown-model-price.error';
import type { TokenUsage } from '../ports/llm-provider';
import defaultPrices from './prices.json';

/** Prices of one model in USD per million tokens. */
export interface ModelPrice {
  readonly input: number;
  readonly output: number;
  /** Price of prompt tokens served from the provider's prompt cache (a cache read). */
  readonly cachedInput: number;
  /** Price of prompt tokens written to the provider's prompt cache (Anthropic); default `input`. */
  readonly cacheWrite?: number;
}

export interface PriceTableData {
  readonly source?: string;
  readonly asOf?: string;
  readonly models: Readonly<Record<string, ModelPrice>>;
  /** Other ids of a listed model (dated snapshots, `-latest` names): `alias → model id`. */
  readonly aliases?: Readonly<Record<string, string>>;
}

/**
 * What a model missing from the table costs: `refuse` (default) — `assertPriced` throws
 * `UnknownModelPriceError` at start-up for a configured one, and a call priced anyway costs 0 and
 * is listed by `unknownModels()`; `zero` — it is free (a local model); `{ usdPerMillion }` — every
 * token, input or output, at that price.
 */
export type UnknownModelPolicy = 'refuse' | 'zero' | { readonly usdPerMillion: number };

/**
 * The price of every call, from a JSON table (`src/pricing/prices.json` by default). A model is
 * found by its exact id or an explicit alias, never by prefix: `claude-opus-4-5` is not Opus 4, and
 * a model the table does not list is unknown (see `UnknownModelPolicy`) rather than silently free.
 */
export class PriceTable {
  private readonly models: ReadonlyMap<string, ModelPrice>;
  private readonly unknown = new Set<string>();
  private readonly fallback: ModelPrice | undefined;
  readonly source: string | undefined;
  readonly asOf: string | undefined;

  constructor(
    private readonly data: PriceTableData = defaultPrices,
    readonly unknownModel: UnknownModelPolicy = 'refuse',
  ) {
    const models = new Map(Object.entries(data.models));
    for (const [alias, id] of Object.entries(data.aliases ?? {})) {
      const price = models.get(id);
      if (!price)
        throw new UnknownModelPriceError({
          message: `price alias "${alias}" names unlisted model "${id}"`,
          models: [id],
        });
      models.set(alias, price);
    }
    this.models = models;
    this.source = data.source;
    this.asOf = data.asOf;
    if (unknownModel === 'zero') this.fallback = { input: 0, output: 0, cachedInput: 0 };
    else if (typeof unknownModel === 'object') {
      const usd = unknownModel.usdPerMillion;
      this.fallback = { input: usd, output: usd, cachedInput: usd, cacheWrite: usd };
    }
  }

  priceOf(model: string): ModelPrice | undefined {
    const price = this.models.get(model) ?? this.fallback;
    if (!price) this.unknown.add(model);
    return price;
  }

  /** Throws `UnknownModelPriceError` naming every model of `ids` the table cannot price (policy `refuse`). */
  assertPriced(ids: Iterable<string>): void {
    if (this.fallback) return;
    const missing = [...new Set(ids)].filter((id) => !this.models.has(id));
    if (missing.length > 0) {
      throw new UnknownModelPriceError({
        message: `no price for model(s) ${missing.join(', ')} (price table as of ${this.asOf ?? 'unknown'}): add them to the price table, or set the unknown-model policy (LLM_UNKNOWN_MODEL_PRICE=zero for local models, or a USD price per million tokens)`,
        models: missing,
      });
    }
  }

  /** USD cost of `usage` on `model`: uncached input, cache reads, cache writes and output at their prices. */
  cost(model: string, usage: TokenUsage): number {
    const price = this.priceOf(model);
    if (!price) return 0;
    const cached = Math.min(usage.cachedTokens, usage.promptTokens);
    const written = Math.min(usage.cacheWriteTokens ?? 0, usage.promptTokens - cached);
    return (
      ((usage.promptTokens - cached - written) * price.input +
        cached * price.cachedInput +
        written * (price.cacheWrite ?? price.input) +
        usage.completionTokens * price.output) /
      1_000_000
    );
  }

  /** The most `promptTokens` in and `outputTokens` out can cost on `model` (every prompt token a cache write). */
  worstCaseCost(model: string, promptTokens: number, outputTokens: number): number {
    const price = this.priceOf(model);
    if (!price) return 0;
    const input = Math.max(price.input, price.cacheWrite ?? 0, price.cachedInput);
    return (promptTokens * input + outputTokens * price.output) / 1_000_000;
  }

  /** This table plus `models` (e.g. the free local and fake models an app configures), same policy. */
  withModels(models: Readonly<Record<string, ModelPrice>>): PriceTable {
    return new PriceTable({ ...this.data, models: { ...this.data.models, ...models } }, this.unknownModel);
  }

  unknownModels(): string[] {
    return [...this.unknown];
  }
}
