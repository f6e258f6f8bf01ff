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

export interface MetricAttributeSet {
  readonly base: Attributes;
  readonly input: Attributes;
  readonly output: Attributes;
  readonly cached: Attributes;
}

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
  private readonly attributeSets = new Map<string, MetricAttributeSet>();
  private readonly failureAttributes = new Map<string, Attributes>();

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

  /** Attribute sets for one model and provider, built once and reused on every call (no per-call allocation). */
  attributesFor(model: string, provider: string): MetricAttributeSet {
    const key = `${provider}\u0000${model}`;
    let set = this.attributeSets.get(key);
    if (!set) {
      const base = { [ATTR.genAiRequestModel]: model, [ATTR.genAiProviderName]: provider };
      set = {
        base,
        input: { ...base, [ATTR.genAiTokenType]: 'input' },
        output: { ...base, [ATTR.genAiTokenType]: 'output' },
        cached: { ...base, [ATTR.genAiTokenType]: 'cached' },
      };
      this.attributeSets.set(key, set);
    }
    return set;
  }

  recordCall(
    durationMs: number,
    attributes: MetricAttributeSet,
    usage: TokenUsage | undefined,
    costUsd: number,
    fallbacks: number,
  ): void {
    this.duration.record(durationMs / 1000, attributes.base);
    if (usage) {
      this.tokens.add(usage.promptTokens - usage.cachedTokens, attributes.input);
      this.tokens.add(usage.completionTokens, attributes.output);
      if (usage.cachedTokens > 0) this.tokens.add(usage.cachedTokens, attributes.cached);
    }
    if (costUsd > 0) this.cost.add(costUsd, attributes.base);
    if (fallbacks > 0) this.fallbacks.add(fallbacks, attributes.base);
  }

  recordFailure(durationMs: number, code: string): void {
    let attributes = this.failureAttributes.get(code);
    if (!attributes) {
      attributes = { [ATTR.errorType]: code };
      this.failureAttributes.set(code, attributes);
    }
    this.duration.record(durationMs / 1000, attributes);
  }
}
