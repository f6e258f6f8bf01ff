import { randomUUID } from 'node:crypto';
import {
  type GatewayChatRequest,
  type GatewayChatResult,
  type GatewayStreamEvent,
  type LlmGateway,
  type LlmProvider,
  type UsageLedger,
} from '@ai-scale/llm-gateway';
import { AiScaleError } from '@ai-scale/errors';

export interface ProviderRoute {
  readonly provider: LlmProvider;
  readonly model: string;
  /** USD per million prompt / completion tokens. */
  readonly pricing: { readonly prompt: number; readonly completion: number };
}

/**
 * TODO(llm-gateway): replace with the package's gateway (tiers, breakers, budgets, response-cache
 * hook) once exported. This shim calls the routes in order (first primary, the rest fallbacks on a
 * retryable error), prices the usage and records it in the ledger.
 */
export class SimpleLlmGateway implements LlmGateway {
  constructor(
    private readonly routes: readonly ProviderRoute[],
    private readonly ledger: UsageLedger,
  ) {}

  async chat(request: GatewayChatRequest): Promise<GatewayChatResult> {
    const attempts: Array<{ provider: string; model: string; outcome: string; durationMs: number }> = [];
    let lastError: unknown;
    for (const route of this.candidates(request)) {
      const started = performance.now();
      try {
        const result = await route.provider.chat(
          {
            model: route.model,
            messages: request.messages,
            context: request.context,
            temperature: request.temperature,
            maxTokens: request.maxTokens,
            stop: request.stop,
            seed: request.seed,
            tools: request.tools,
            toolChoice: request.toolChoice,
            responseFormat: request.responseFormat,
          },
          { signal: request.signal },
        );
        attempts.push({
          provider: route.provider.name,
          model: route.model,
          outcome: 'ok',
          durationMs: performance.now() - started,
        });
        const costUsd = priceOf(route, result.usage.promptTokens, result.usage.completionTokens);
        await this.ledger.record({
          tenantId: request.tenantId,
          requestId: request.requestId,
          at: new Date(),
          provider: result.provider,
          model: result.model,
          promptTokens: result.usage.promptTokens,
          completionTokens: result.usage.completionTokens,
          cachedTokens: result.usage.cachedTokens,
          costUsd,
          cacheKind: null,
          savedTokens: 0,
          savedCostUsd: 0,
        });
        return {
          ...result,
          requestId: request.requestId,
          tier: request.tier ?? null,
          costUsd,
          cache: null,
          savedCostUsd: 0,
          attempts,
          fallbacks: attempts.length - 1,
          downgraded: false,
          trimmed: { messages: 0, passages: 0 },
        };
      } catch (error) {
        attempts.push({
          provider: route.provider.name,
          model: route.model,
          outcome: 'error',
          durationMs: performance.now() - started,
        });
        lastError = error;
        if (AiScaleError.isInstance(error) && !error.isRetryable) throw error;
      }
    }
    throw lastError;
  }

  async *stream(request: GatewayChatRequest): AsyncIterable<GatewayStreamEvent> {
    const result = await this.chat(request);
    for (const word of result.content.split(/(?<=\s)/)) yield { type: 'text', text: word };
    yield {
      type: 'done',
      usage: result.usage,
      finishReason: result.finishReason,
      model: result.model,
      provider: result.provider,
      costUsd: result.costUsd,
      cache: null,
      attempts: result.attempts,
      fallbacks: result.fallbacks,
      citations: result.citations,
    };
  }

  private candidates(request: GatewayChatRequest): readonly ProviderRoute[] {
    if (request.model) {
      const chosen = this.routes.filter(
        (route) => route.model === request.model || route.provider.name === request.model,
      );
      if (chosen.length > 0) return chosen;
    }
    // The small tier prefers the LAST route (the cheap fallback), the large tier the first.
    return request.tier === 'small' ? [...this.routes].reverse() : this.routes;
  }
}

function priceOf(route: ProviderRoute, promptTokens: number, completionTokens: number): number {
  return (promptTokens * route.pricing.prompt + completionTokens * route.pricing.completion) / 1_000_000;
}

export const newRequestId = (): string => randomUUID();
