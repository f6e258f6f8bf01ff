import { context as otelContext, SpanKind, trace, type Span } from '@opentelemetry/api';
import { ATTR, SPAN } from '@ai-scale/telemetry';
import { InvalidLlmRequestError } from '../errors/invalid-llm-request.error';
import { StructuredOutputInvalidError } from '../errors/structured-output-invalid.error';
import { PriceTable } from '../pricing/price-table';
import type {
  AttemptRecord,
  GatewayChatRequest,
  GatewayChatResult,
  GatewayStreamEvent,
  LlmGateway,
} from '../ports/llm-gateway';
import type { LlmProvider, TokenUsage } from '../ports/llm-provider';
import { countPromptTokens, TiktokenCounter, type TokenCounter } from '../tokens/token-counter';
import { sleep as defaultSleep } from '../util/abort';
import { AttemptRunner } from './attempt-runner';
import { MemoryBudgetReservations } from '../adapters/memory/memory-budget-reservations';
import { MemoryRateLimiter } from '../adapters/memory/memory-rate-limiter';
import { BudgetGate, type BudgetHold } from './budget-gate';
import { CallDeadline } from './call-deadline';
import { CallSpans } from './call-span';
import type { ModelDefinition, Plan, RoutingLlmGatewayOptions } from './gateway-options';
import { GatewayTelemetry } from './gateway-telemetry';
import { ProviderGuard } from './provider-guard';
import { validateRequest } from './request-validation';
import { RequestPreparer } from './request-preparer';
import { ResponseCacheStep } from './response-cache-step';
import { RoutePlanner } from './route-planner';
import { StreamingCall } from './streaming-call';
import { repairMessages, StructuredOutputValidator } from './structured-output';
import { TenantTokenLimit } from './tenant-token-limit';
import { TierRouter } from './tier-router';
import { UsageRecorder } from './usage-recorder';

export type {
  ModelDefinition,
  ProviderRegistration,
  RetryOptions,
  RoutingLlmGatewayOptions,
  TenantBudget,
} from './gateway-options';
export type { TenantLimits } from './tenant-token-limit';

/**
 * The gateway, a composition of one-responsibility parts: `RoutePlanner` (model or tier, route,
 * `maxCostUsd`), `BudgetGate` (tenant budgets, downgrade), `ResponseCacheStep`, `AttemptRunner`
 * (fallbacks, retries, Retry-After, breakers and limits through `ProviderGuard`), `StreamingCall`,
 * `UsageRecorder` (ledger) and `CallSpans` (telemetry). See `LlmGateway` for the guarantees.
 */
export class RoutingLlmGateway implements LlmGateway {
  private readonly models = new Map<string, ModelDefinition>();
  private readonly guards = new Map<string, ProviderGuard>();
  private readonly prices: PriceTable;
  private readonly telemetry: GatewayTelemetry;
  private readonly planner: RoutePlanner;
  private readonly budgets: BudgetGate;
  private readonly cache: ResponseCacheStep;
  private readonly runner: AttemptRunner;
  private readonly recorder: UsageRecorder;
  private readonly spans: CallSpans;
  private readonly streaming: StreamingCall;
  private readonly deadlineMs: number;
  private readonly counter: TokenCounter;
  private readonly tenantTokens: TenantTokenLimit;
  private readonly structured = new StructuredOutputValidator();

  constructor(options: RoutingLlmGatewayOptions) {
    const now = options.now ?? Date.now;
    const providers = new Map<string, LlmProvider>();
    for (const registration of options.providers) {
      const name = registration.provider.name;
      if (providers.has(name))
        throw new InvalidLlmRequestError({ message: `provider "${name}" is registered twice` });
      providers.set(name, registration.provider);
      this.guards.set(
        name,
        new ProviderGuard(name, registration.limits, registration.breaker, now, options.rateLimiter),
      );
    }
    for (const model of options.models) {
      if (!providers.has(model.provider)) {
        throw new InvalidLlmRequestError({
          message: `model "${model.id}" names unknown provider "${model.provider}"`,
        });
      }
      this.models.set(model.id, model);
    }
    for (const id of [
      ...options.routes.small,
      ...options.routes.large,
      ...Object.values(options.fallbacks ?? {}).flat(),
    ]) {
      if (!this.models.has(id))
        throw new InvalidLlmRequestError({ message: `route names unknown model "${id}"` });
    }
    if (options.routes.small.length === 0 && options.routes.large.length === 0) {
      throw new InvalidLlmRequestError({ message: 'at least one route needs a model' });
    }
    if (options.budgets && !options.ledger)
      throw new InvalidLlmRequestError({ message: 'budgets need a ledger' });
    this.prices = options.prices ?? new PriceTable();
    // A model the table cannot price would be billed at 0: refused here, at start-up (policy `refuse`).
    this.prices.assertPriced(this.models.keys());
    this.deadlineMs = options.deadlineMs ?? 60_000;
    this.telemetry = new GatewayTelemetry(
      () => [...this.guards.values()].map((guard) => ({ provider: guard.provider, state: guard.state })),
      options.tracer,
      options.meter,
    );
    const counter = options.tokenCounter ?? new TiktokenCounter();
    this.planner = new RoutePlanner(this.models, options, new TierRouter(options.tierRules), this.prices);
    this.budgets = new BudgetGate({
      budgets: options.budgets,
      reservations: options.reservations ?? new MemoryBudgetReservations(now),
      ledger: options.ledger,
      planner: this.planner,
      prices: this.prices,
      now,
      holdGraceMs: options.reservationGraceMs ?? 60_000,
      promptTokenMargin: options.reservationPromptMargin ?? 1.1,
      onError: options.onBackgroundError,
    });
    this.counter = counter;
    this.tenantTokens = new TenantTokenLimit(
      options.tenantLimits,
      options.rateLimiter ?? new MemoryRateLimiter(now),
    );
    this.recorder = new UsageRecorder(options.ledger, now, options.onBackgroundError);
    this.cache = new ResponseCacheStep(options.cache, this.prices, this.recorder, options.onBackgroundError);
    const preparer = new RequestPreparer(providers, this.guards, counter, options.attemptTimeoutMs ?? 30_000);
    this.runner = new AttemptRunner(
      options,
      this.guards,
      preparer,
      this.telemetry.tracer,
      options.sleep ?? defaultSleep,
      options.random ?? Math.random,
    );
    this.spans = new CallSpans(this.telemetry);
    this.streaming = new StreamingCall(
      this.runner,
      this.prices,
      this.recorder,
      this.cache,
      this.spans,
      counter,
    );
  }

  /** Breaker state per provider, for health endpoints. */
  breakerStates(): Record<string, string> {
    const states: Record<string, string> = {};
    for (const [name, guard] of this.guards) states[name] = guard.state;
    return states;
  }

  /**
   * With a `json` / `json_schema` response format the answer is validated; one that does not parse or
   * match is sent back once with a repair turn (a second call, admitted against the budgets and
   * recorded in the ledger under `<requestId>:repair`). The result reports both calls' tokens and
   * cost and `repairs: 1`; still invalid → `StructuredOutputInvalidError`. Tool calls are not
   * checked (they are the answer), nor are streams (the caller holds the text as it arrives).
   */
  async chat(request: GatewayChatRequest): Promise<GatewayChatResult> {
    this.structured.prepare(request.responseFormat);
    const first = await this.chatOnce(request);
    const verdict =
      first.toolCalls.length === 0 ? this.structured.check(request.responseFormat, first.content) : undefined;
    if (verdict === undefined || verdict.ok) return first;
    const repaired = await this.chatOnce(
      {
        ...request,
        requestId: `${request.requestId}:repair`,
        messages: repairMessages(request.messages, first.content, verdict.problem),
        noCache: true,
      },
      false,
    );
    const after = this.structured.check(request.responseFormat, repaired.content);
    if (after !== undefined && !after.ok) {
      throw new StructuredOutputInvalidError({
        message: `the model's answer did not match the response format after one repair: ${after.problem}`,
        problem: after.problem,
      });
    }
    return {
      ...repaired,
      requestId: request.requestId,
      usage: {
        promptTokens: first.usage.promptTokens + repaired.usage.promptTokens,
        completionTokens: first.usage.completionTokens + repaired.usage.completionTokens,
        cachedTokens: first.usage.cachedTokens + repaired.usage.cachedTokens,
      },
      costUsd: first.costUsd + repaired.costUsd,
      attempts: [...first.attempts, ...repaired.attempts],
      fallbacks: first.fallbacks + repaired.fallbacks,
      repairs: 1,
    };
  }

  /** One call through the whole pipeline; `cacheable` false keeps an answer about to be repaired out of the cache. */
  private async chatOnce(request: GatewayChatRequest, cacheable = true): Promise<GatewayChatResult> {
    const started = performance.now();
    validateRequest(request, (id) => this.models.has(id));
    const span = this.startSpan(request, false);
    const deadline = new CallDeadline(request.deadlineMs ?? this.deadlineMs, request.signal);
    let hold: BudgetHold | undefined;
    let spentUsd = 0;
    try {
      const admitted = await this.admit(request, deadline);
      hold = admitted.hold;
      const { plan } = admitted;
      span.setAttribute('ai_scale.llm.tier', plan.tier ?? 'explicit');
      const cacheRequest = this.cache.requestFor(request, plan);
      if (cacheRequest) {
        const hit = await this.cache.lookup(cacheRequest);
        if (hit) {
          const result = await this.cache.answer(request, plan, hit.result, hit.kind);
          this.finishFromCache(span, started, result, hit.result.usage);
          return result;
        }
      }
      const parent = trace.setSpan(otelContext.active(), span);
      const attempts: AttemptRecord[] = [];
      const outcome = await this.runner.run(request, plan, deadline, attempts, parent, (prepared, signal) =>
        prepared.provider.chat(prepared.request, { signal }),
      );
      const { prepared, value } = outcome;
      const costUsd = this.prices.cost(prepared.model.id, value.usage);
      spentUsd = costUsd;
      const result: GatewayChatResult = {
        ...value,
        model: prepared.model.id,
        requestId: request.requestId,
        tier: plan.tier,
        costUsd,
        cache: null,
        savedCostUsd: 0,
        attempts,
        fallbacks: outcome.fallbacks,
        downgraded: plan.downgraded,
        trimmed: prepared.trimmed,
      };
      await this.recorder.record(request, {
        provider: result.provider,
        model: prepared.model.id,
        usage: value.usage,
        costUsd,
        cacheKind: null,
        savedTokens: 0,
        savedCostUsd: 0,
      });
      const storable =
        cacheable &&
        (value.toolCalls.length > 0 ||
          this.structured.check(request.responseFormat, value.content)?.ok !== false);
      if (cacheRequest && storable)
        await this.cache.store(cacheRequest, { ...value, model: prepared.model.id }, costUsd);
      this.spans.finish(span, started, {
        model: prepared.model.id,
        provider: result.provider,
        usage: value.usage,
        costUsd,
        fallbacks: outcome.fallbacks,
        cache: null,
        finishReason: value.finishReason,
      });
      return result;
    } catch (error) {
      this.spans.fail(span, started, error);
      throw error;
    } finally {
      // After the ledger: settles what was bought (0 when nothing was) and releases the rest.
      await hold?.settle(spentUsd);
      span.end();
    }
  }

  async *stream(request: GatewayChatRequest): AsyncIterable<GatewayStreamEvent> {
    const started = performance.now();
    validateRequest(request, (id) => this.models.has(id));
    const span = this.startSpan(request, true);
    const deadline = new CallDeadline(request.deadlineMs ?? this.deadlineMs, request.signal);
    let hold: BudgetHold | undefined;
    try {
      const admitted = await this.admit(request, deadline);
      hold = admitted.hold;
      const { plan } = admitted;
      const cacheRequest = this.cache.requestFor(request, plan);
      if (cacheRequest) {
        const hit = await this.cache.lookup(cacheRequest);
        if (hit) {
          const result = await this.cache.answer(request, plan, hit.result, hit.kind);
          if (result.content) yield { type: 'text', text: result.content };
          yield {
            type: 'done',
            usage: result.usage,
            finishReason: result.finishReason,
            model: result.model,
            provider: result.provider,
            costUsd: 0,
            cache: hit.kind,
            attempts: [],
            fallbacks: 0,
            citations: result.citations,
          };
          this.finishFromCache(span, started, result, hit.result.usage);
          return;
        }
      }
      const relayed = hold;
      hold = undefined; // the relay settles it, in its own finally
      yield* this.streaming.relay(request, plan, relayed, cacheRequest, deadline, span, started);
    } catch (error) {
      this.spans.fail(span, started, error);
      throw error;
    } finally {
      await hold?.settle(0);
      span.end();
    }
  }

  /** Plan, tenant tokens per minute, then budgets: every refusal before any provider is paid. */
  private async admit(
    request: GatewayChatRequest,
    deadline: CallDeadline,
  ): Promise<{ plan: Plan; hold: BudgetHold }> {
    const plan = this.planner.plan(request);
    let counted: number | undefined;
    const promptTokens = (): number =>
      (counted ??= countPromptTokens(this.counter, request.messages, request.context, request.tools));
    const refundTokens = await this.tenantTokens.take(request, plan, promptTokens);
    try {
      return await this.budgets.admit(request, plan, deadline.ms, promptTokens);
    } catch (error) {
      await refundTokens();
      throw error;
    }
  }

  private finishFromCache(span: Span, started: number, result: GatewayChatResult, usage: TokenUsage): void {
    this.spans.finish(span, started, {
      model: result.model,
      provider: result.provider,
      usage,
      costUsd: 0,
      fallbacks: 0,
      cache: result.cache,
    });
  }

  private startSpan(request: GatewayChatRequest, streamed: boolean): Span {
    return this.telemetry.tracer.startSpan(SPAN.llmGateway, {
      kind: SpanKind.INTERNAL,
      attributes: {
        [ATTR.tenantId]: request.tenantId,
        [ATTR.genAiOperationName]: 'chat',
        ...(streamed ? { 'ai_scale.llm.stream': true } : {}),
      },
    });
  }
}

/** Builds the gateway (see `RoutingLlmGatewayOptions`). */
export function createLlmGateway(options: RoutingLlmGatewayOptions): RoutingLlmGateway {
  return new RoutingLlmGateway(options);
}
