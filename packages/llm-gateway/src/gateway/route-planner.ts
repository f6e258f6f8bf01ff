import { BudgetExceededError } from '../errors/budget-exceeded.error';
import type { PriceTable } from '../pricing/price-table';
import type { GatewayChatRequest, ModelTier } from '../ports/llm-gateway';
import type { ModelDefinition, Plan, RoutingLlmGatewayOptions } from './gateway-options';
import { boundTokens } from './request-validation';
import type { TierRouter } from './tier-router';

/** Output tokens a call may produce: the request's `maxTokens`, else the model's limit, else 1,024. */
export function outputReserve(request: GatewayChatRequest, model: ModelDefinition): number {
  return request.maxTokens ?? model.maxOutputTokens ?? 1_024;
}

/**
 * Decides where a call goes: an explicit model (with its fallbacks) or a tier's route, classified
 * by the `TierRouter` when the request names neither, filtered by the request's own `maxCostUsd`.
 */
export class RoutePlanner {
  constructor(
    private readonly models: ReadonlyMap<string, ModelDefinition>,
    private readonly options: Pick<RoutingLlmGatewayOptions, 'routes' | 'fallbacks'>,
    private readonly router: TierRouter,
    private readonly prices: PriceTable,
  ) {}

  /** The plan of a request; `downgrade` sends it to the small tier (a budget rule said so). */
  plan(request: GatewayChatRequest, downgrade = false): Plan {
    const bound = boundTokens(request);
    let tier: ModelTier | null;
    let explicit: ModelDefinition | undefined;
    if (downgrade) {
      tier = 'small';
    } else if (request.model !== undefined) {
      explicit = this.models.get(request.model) as ModelDefinition;
      tier = explicit.tier ?? null;
    } else {
      tier = request.tier ?? this.router.classify(request, bound.estimate).tier;
    }
    let chain: ModelDefinition[];
    let target: string;
    if (explicit) {
      const fallbackIds =
        this.options.fallbacks?.[explicit.id] ??
        (explicit.tier ? this.options.routes[explicit.tier].filter((id) => id !== explicit.id) : []);
      chain = [explicit, ...fallbackIds.map((id) => this.models.get(id) as ModelDefinition)];
      target = explicit.id;
    } else {
      const resolvedTier: ModelTier = tier ?? 'small';
      let ids = this.options.routes[resolvedTier];
      if (ids.length === 0) ids = this.options.routes[resolvedTier === 'small' ? 'large' : 'small'];
      chain = ids.map((id) => this.models.get(id) as ModelDefinition);
      target = `tier:${resolvedTier}`;
    }
    if (request.maxCostUsd !== undefined) chain = this.affordable(request, chain, bound.estimate);
    return {
      tier,
      target,
      chain,
      downgraded: downgrade,
      estimateTokens: bound.estimate,
      upperBoundTokens: bound.upper,
    };
  }

  /** Whether a budget rule may move this plan to a cheaper tier. */
  canDowngrade(plan: Plan): boolean {
    return plan.tier === 'large' && this.options.routes.small.length > 0;
  }

  /** The route's models whose worst-case cost (prompt estimate + full output reserve) fits `maxCostUsd`. */
  private affordable(
    request: GatewayChatRequest,
    chain: readonly ModelDefinition[],
    promptTokens: number,
  ): ModelDefinition[] {
    const limit = request.maxCostUsd as number;
    let cheapest = Number.POSITIVE_INFINITY;
    const kept = chain.filter((model) => {
      const estimate = this.prices.cost(model.id, {
        promptTokens,
        completionTokens: outputReserve(request, model),
        cachedTokens: 0,
      });
      cheapest = Math.min(cheapest, estimate);
      return estimate <= limit;
    });
    if (kept.length === 0) {
      throw new BudgetExceededError({
        message: `no model of the route fits the request's ${limit} USD limit (cheapest estimate ${cheapest.toFixed(6)} USD)`,
        tenantId: request.tenantId,
        period: 'request',
        limitUsd: limit,
        spentUsd: cheapest,
      });
    }
    return kept;
  }
}
