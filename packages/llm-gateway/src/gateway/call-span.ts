import { SpanStatusCode, type Span } from '@opentelemetry/api';
import { ATTR } from '@ai-scale/telemetry';
import { LlmGatewayError } from '../errors/llm-gateway.error';
import type { TokenUsage } from '../ports/llm-provider';
import type { CacheKind } from '../ports/usage-ledger';
import type { GatewayTelemetry } from './gateway-telemetry';

export interface CallOutcome {
  readonly model: string;
  readonly provider: string;
  readonly usage: TokenUsage;
  readonly costUsd: number;
  readonly fallbacks: number;
  readonly cache: CacheKind | null;
  readonly finishReason?: string;
}

/** Ends the bookkeeping of one gateway call: the call span's attributes and the `llm.*` metrics. */
export class CallSpans {
  constructor(private readonly telemetry: GatewayTelemetry) {}

  finish(span: Span, started: number, outcome: CallOutcome): void {
    if (span.isRecording()) {
      span.setAttribute(ATTR.genAiRequestModel, outcome.model);
      span.setAttribute(ATTR.genAiProviderName, outcome.provider);
      span.setAttribute(ATTR.genAiResponseModel, outcome.model);
      span.setAttribute(ATTR.genAiUsageInputTokens, outcome.usage.promptTokens);
      span.setAttribute(ATTR.genAiUsageOutputTokens, outcome.usage.completionTokens);
      span.setAttribute(ATTR.genAiUsageCacheReadInputTokens, outcome.usage.cachedTokens);
      span.setAttribute('ai_scale.llm.cost_usd', outcome.costUsd);
      span.setAttribute('ai_scale.llm.fallbacks', outcome.fallbacks);
      span.setAttribute('ai_scale.llm.cache', outcome.cache ?? 'miss');
      if (outcome.finishReason) span.setAttribute(ATTR.genAiResponseFinishReasons, [outcome.finishReason]);
    }
    this.telemetry.recordCall(
      performance.now() - started,
      this.telemetry.attributesFor(outcome.model, outcome.provider),
      outcome.cache ? undefined : outcome.usage,
      outcome.costUsd,
      outcome.fallbacks,
    );
  }

  fail(span: Span, started: number, error: unknown): void {
    const code = LlmGatewayError.isInstance(error) ? error.code : 'UNKNOWN';
    span.setAttribute(ATTR.errorType, code);
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: error instanceof Error ? error.message : String(error),
    });
    this.telemetry.recordFailure(performance.now() - started, code);
  }
}
