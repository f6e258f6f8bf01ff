import {
  metrics,
  trace,
  type Attributes,
  type Counter,
  type Histogram,
  type Meter,
  type Tracer,
} from '@opentelemetry/api';
import { ATTR, METRIC, metricOptions } from '@ai-scale/telemetry';
import type { TokenUsage } from '../ports/llm-provider';
import type { BreakerStateName } from './provider-guard';

/** Attribute sets of one model and provider, built once (no per-call allocation). */
export interface MetricAttributeSet {
  /** `gen_ai.operation.name`, `gen_ai.provider.name`, `gen_ai.request.model`, `gen_ai.response.model`. */
  readonly base: Attributes;
  /** `base` + `gen_ai.token.type: input` (input tokens include the cache-read ones). */
  readonly input: Attributes;
  /** `base` + `gen_ai.token.type: output`. */
  readonly output: Attributes;
  /** Provider and request model only: the attributes of the cost and fallback counters. */
  readonly cached: Attributes;
}

const BREAKER_VALUE: Record<BreakerStateName, number> = { closed: 0, half_open: 1, open: 2, isolated: 3 };
const OPERATION = 'chat';

/**
 * The gateway's instruments, created once through `@opentelemetry/api` (no-ops until the app
 * registers an SDK). Names, units and descriptions come from the catalogue of `@ai-scale/telemetry`:
 * the GenAI client metrics `gen_ai.client.operation.duration` and `gen_ai.client.token.usage`
 * (model calls only: an answer from the response cache is counted by `ai_scale.cache.hits`, not
 * timed as a model call), spend, fallbacks and the breaker state.
 */
export class GatewayTelemetry {
  readonly tracer: Tracer;
  private readonly duration: Histogram;
  private readonly tokens: Histogram;
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
    this.duration = instruments.createHistogram(
      METRIC.genAiClientOperationDuration,
      metricOptions(METRIC.genAiClientOperationDuration),
    );
    this.tokens = instruments.createHistogram(
      METRIC.genAiClientTokenUsage,
      metricOptions(METRIC.genAiClientTokenUsage),
    );
    this.cost = instruments.createCounter(METRIC.llmCost, metricOptions(METRIC.llmCost));
    this.fallbacks = instruments.createCounter(METRIC.llmFallbacks, metricOptions(METRIC.llmFallbacks));
    instruments
      .createObservableGauge(METRIC.llmBreakerState, metricOptions(METRIC.llmBreakerState))
      .addCallback((result) => {
        for (const breaker of breakers()) {
          result.observe(BREAKER_VALUE[breaker.state], { [ATTR.genAiProviderName]: breaker.provider });
        }
      });
  }

  /** Attribute sets for one model and provider, built once and reused on every call. */
  attributesFor(model: string, provider: string): MetricAttributeSet {
    const key = `${provider}\u0000${model}`;
    let set = this.attributeSets.get(key);
    if (!set) {
      const base = {
        [ATTR.genAiOperationName]: OPERATION,
        [ATTR.genAiProviderName]: provider,
        [ATTR.genAiRequestModel]: model,
        [ATTR.genAiResponseModel]: model,
      };
      set = {
        base,
        input: { ...base, [ATTR.genAiTokenType]: 'input' },
        output: { ...base, [ATTR.genAiTokenType]: 'output' },
        cached: { [ATTR.genAiProviderName]: provider, [ATTR.genAiRequestModel]: model },
      };
      this.attributeSets.set(key, set);
    }
    return set;
  }

  /**
   * One finished gateway call. `usage` undefined means the answer came from the response cache:
   * no model was called, so nothing is recorded here (the cache counts its hit).
   */
  recordCall(
    durationMs: number,
    attributes: MetricAttributeSet,
    usage: TokenUsage | undefined,
    costUsd: number,
    fallbacks: number,
  ): void {
    if (!usage) return;
    this.duration.record(durationMs / 1000, attributes.base);
    this.tokens.record(usage.promptTokens, attributes.input);
    this.tokens.record(usage.completionTokens, attributes.output);
    if (costUsd > 0) this.cost.add(costUsd, attributes.cached);
    if (fallbacks > 0) this.fallbacks.add(fallbacks, attributes.cached);
  }

  /** A call that failed for good (after retries and fallbacks): its duration with `error.type` = the error code. */
  recordFailure(durationMs: number, code: string): void {
    let attributes = this.failureAttributes.get(code);
    if (!attributes) {
      attributes = { [ATTR.genAiOperationName]: OPERATION, [ATTR.errorType]: code };
      this.failureAttributes.set(code, attributes);
    }
    this.duration.record(durationMs / 1000, attributes);
  }
}
