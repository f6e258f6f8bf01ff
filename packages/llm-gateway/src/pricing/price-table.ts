import type { TokenUsage } from '../ports/llm-provider';
import defaultPrices from './prices.json';

/** Prices of one model in USD per million tokens. */
export interface ModelPrice {
  readonly input: number;
  readonly output: number;
  /** Price of prompt tokens served from the provider's prompt cache. */
  readonly cachedInput: number;
}

export interface PriceTableData {
  readonly source?: string;
  readonly asOf?: string;
  readonly models: Readonly<Record<string, ModelPrice>>;
}

/**
 * The price of every call, from a JSON table (`src/pricing/prices.json` by default). A model is
 * found by exact id, else by the longest table id it starts with, so dated snapshots
 * (`claude-3-5-haiku-20241022`, `gpt-4o-2024-08-06`) get their family's price. A model missing from
 * the table costs 0 and is listed by `unknownModels()` so operators can see what is not priced.
 */
export class PriceTable {
  private readonly models: ReadonlyMap<string, ModelPrice>;
  private readonly resolved = new Map<string, ModelPrice | null>();
  private readonly unknown = new Set<string>();
  readonly source: string | undefined;
  readonly asOf: string | undefined;

  constructor(data: PriceTableData = defaultPrices) {
    this.models = new Map(Object.entries(data.models));
    this.source = data.source;
    this.asOf = data.asOf;
  }

  priceOf(model: string): ModelPrice | undefined {
    let price = this.resolved.get(model);
    if (price === undefined) {
      price = this.models.get(model) ?? null;
      if (price === null) {
        let best = '';
        for (const [id, candidate] of this.models) {
          if (model.startsWith(id) && id.length > best.length) {
            best = id;
            price = candidate;
          }
        }
      }
      if (price === null) this.unknown.add(model);
      this.resolved.set(model, price);
    }
    return price ?? undefined;
  }

  /** USD cost of `usage` on `model`: uncached input, cached input and output at their prices. */
  cost(model: string, usage: TokenUsage): number {
    const price = this.priceOf(model);
    if (!price) return 0;
    const cached = Math.min(usage.cachedTokens, usage.promptTokens);
    return (
      ((usage.promptTokens - cached) * price.input +
        cached * price.cachedInput +
        usage.completionTokens * price.output) /
      1_000_000
    );
  }

  unknownModels(): string[] {
    return [...this.unknown];
  }
}
