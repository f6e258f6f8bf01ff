import {
  metrics,
  trace,
  type Attributes,
  type Counter,
  type Histogram,
  type Meter,
  type Tracer,
} from '@opentelemetry/api';
import { ATTR, METRIC } from '@ai-scale/telemetry';
import type { TokenUsage } from '../ports/llm-provider';
import type { BreakerStateName } from './provider-guard';

const BREAKER_VALUE: Record<BreakerStateName, number> = { closed: 0, half_open: 1, open: 2, isolated: 3 };

/**
 * The gateway's instruments, created once through `@opentelemetry/api` (no-ops until the app
 * registers an SDK). Names come from `@ai-scale/telemetry`.
 */
export class GatewayTelemetry {
  readonly tracer: Tracer;
  private readonly duration: Histogram;
  private readonly tokens: Counter;
  private readonly cost: Counter;
  private readonly fallbacks: Counter;

  constructor(
    breakers: () => Iterable<{ provider: string; state: BreakerStateName }>,
    tracer?: Tracer,
    meter?: Meter,
  ) {
    this.tracer = tracer ?? trace.getTracer('@ai-scale/llm-gateway');
    const instruments = meter ?? metrics.getMeter('@ai-scale/llm-gateway');
    this.duration = instruments.createHistogram(METRIC.llmRequestDuration, {
      description: 'Duration of gateway calls, cache hits included',
      unit: 's',
    });
    this.tokens = instruments.createCounter(METRIC.llmTokens, {
      description: 'Tokens billed by type (input, output, cached)',
    });
    this.cost = instruments.createCounter(METRIC.llmCost, {
      description: 'Cost of model calls',
      unit: 'USD',
    });
    this.fallbacks = instruments.createCounter(METRIC.llmFallbacks, {
      description: 'Moves to the next model of a route',
    });
    instruments
      .createObservableGauge(METRIC.llmBreakerState, {
        description: 'Circuit breaker state per provider: 0 closed, 1 half-open, 2 open, 3 isolated',
      })
      .addCallback((result) => {
        for (const breaker of breakers()) {
          result.observe(BREAKER_VALUE[breaker.state], { [ATTR.genAiProviderName]: breaker.provider });
        }
      });
  }

  recordCall(
    durationMs: number,
    attributes: Attributes,
    usage: TokenUsage | undefined,
    costUsd: number,
    fallbacks: number,
  ): void {
    this.duration.record(durationMs / 1000, attributes);
    if (usage) {
      this.tokens.add(usage.promptTokens - usage.cachedTokens, {
        ...attributes,
        [ATTR.genAiTokenType]: 'input',
      });
      this.tokens.add(usage.completionTokens, { ...attributes, [ATTR.genAiTokenType]: 'output' });
      if (usage.cachedTokens > 0)
        this.tokens.add(usage.cachedTokens, { ...attributes, [ATTR.genAiTokenType]: 'cached' });
    }
    if (costUsd > 0) this.cost.add(costUsd, attributes);
    if (fallbacks > 0) this.fallbacks.add(fallbacks, attributes);
  }
}
