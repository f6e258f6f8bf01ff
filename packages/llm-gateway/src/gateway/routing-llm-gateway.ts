import {
  context as otelContext,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Meter,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { ATTR, SPAN } from '@ai-scale/telemetry';
import { AllProvidersFailedError } from '../errors/all-providers-failed.error';
import { BudgetExceededError } from '../errors/budget-exceeded.error';
import { CircuitOpenError } from '../errors/circuit-open.error';
import { InvalidLlmRequestError } from '../errors/invalid-llm-request.error';
import { LlmGatewayError } from '../errors/llm-gateway.error';
import { ProviderRateLimitedError } from '../errors/provider-rate-limited.error';
import { ProviderTimeoutError } from '../errors/provider-timeout.error';
import { PriceTable } from '../pricing/price-table';
import type {
  AttemptRecord,
  GatewayChatRequest,
  GatewayChatResult,
  GatewayStreamEvent,
  LlmGateway,
  ModelTier,
} from '../ports/llm-gateway';
import type { ChatDelta, ChatRequest, ChatResult, LlmProvider, TokenUsage } from '../ports/llm-provider';
import type { CacheableRequest, ResponseCacheHook } from '../ports/response-cache-hook';
import type { CacheKind, UsageLedger } from '../ports/usage-ledger';
import { lastUserText } from '../prompt/render-context';
import { TiktokenCounter, type TokenCounter } from '../tokens/token-counter';
import { abortError, sleep as defaultSleep } from '../util/abort';
import { CallDeadline } from './call-deadline';
import { GatewayTelemetry } from './gateway-telemetry';
import { ProviderGuard, type BreakerOptions, type ProviderLimits } from './provider-guard';
import { TierRouter, type TierRules } from './tier-router';
import { trimToBudget } from './trim';

/** A model the gateway can route to. `id` is what callers, the price table and the ledger use. */
export interface ModelDefinition {
  readonly id: string;
  /** The `LlmProvider.name` that serves it. */
  readonly provider: string;
  /** The id sent to the provider when it differs from `id` (a dated snapshot, an Ollama tag). */
  readonly providerModel?: string;
  readonly tier?: ModelTier;
  /** Total context window in tokens (input + output). */
  readonly contextWindow: number;
  /** Output tokens reserved when the request gives no `maxTokens`. Default 1,024. */
  readonly maxOutputTokens?: number;
  /** Attempt timeout for this model (slow large models need more); default the gateway's. */
  readonly attemptTimeoutMs?: number;
}

export interface ProviderRegistration {
  readonly provider: LlmProvider;
  readonly limits?: ProviderLimits;
  readonly breaker?: BreakerOptions;
}

export interface TenantBudget {
  readonly dailyUsd?: number;
  readonly monthlyUsd?: number;
  /** `reject` (default): `BudgetExceededError`. `downgrade`: route large-tier calls to the small tier; reject small ones. */
  readonly onExceeded?: 'reject' | 'downgrade';
}

export interface RetryOptions {
  /** Passes over the whole route; the first is not a retry. Default 3. */
  readonly rounds?: number;
  /** Back-off before the second round; doubles each round, with jitter (×0.5–1). Default 100 ms. */
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** A Retry-After longer than this is not waited for (the call fails over or fails). Default 10 s. */
  readonly maxRetryAfterMs?: number;
}

export interface RoutingLlmGatewayOptions {
  readonly providers: readonly ProviderRegistration[];
  readonly models: readonly ModelDefinition[];
  /** Ordered fallback chains of model ids per tier; the first is the primary. */
  readonly routes: { readonly small: readonly string[]; readonly large: readonly string[] };
  /** Fallback chains for explicitly requested models; default: the model's tier route without it. */
  readonly fallbacks?: Readonly<Record<string, readonly string[]>>;
  readonly tierRules?: TierRules;
  /**
   * What a call does when no model of its route could even be tried (each refused by an open
   * breaker or a local limit / pending Retry-After) and at least one breaker is open: `try-anyway`
   * (default) sends it once, around the breaker, to the first open one, like Envoy's panic threshold,
   * so an overload that tripped every breaker does not turn into a total outage; `fail` answers
   * `CircuitOpenError` (all open) or `AllProvidersFailedError`.
   */
  readonly whenAllBreakersOpen?: 'try-anyway' | 'fail';
  readonly retry?: RetryOptions;
  /** Timeout of one attempt. Default 30 s. */
  readonly attemptTimeoutMs?: number;
  /** Overall deadline of a call, all attempts and back-offs included. Default 60 s. */
  readonly deadlineMs?: number;
  readonly prices?: PriceTable;
  readonly ledger?: UsageLedger;
  /** The budget of a tenant, or undefined for none. Needs `ledger`. */
  readonly budgets?: (tenantId: string) => TenantBudget | undefined;
  readonly cache?: ResponseCacheHook;
  readonly tokenCounter?: TokenCounter;
  /** Called when the ledger or the cache fails; the call itself still answers. */
  readonly onBackgroundError?: (error: unknown, where: 'ledger' | 'cache') => void;
  readonly tracer?: Tracer;
  readonly meter?: Meter;
  /** Clock, sleep and jitter source, injectable for deterministic tests. */
  readonly now?: () => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly random?: () => number;
}

interface Plan {
  readonly tier: ModelTier | null;
  readonly target: string;
  readonly chain: readonly ModelDefinition[];
  readonly downgraded: boolean;
  readonly estimateTokens: number;
  readonly upperBoundTokens: number;
}

interface Prepared {
  readonly model: ModelDefinition;
  readonly guard: ProviderGuard;
  readonly provider: LlmProvider;
  readonly request: ChatRequest;
  readonly tokens: number;
  readonly trimmed: { readonly messages: number; readonly passages: number };
  readonly spanAttributes: Attributes;
  readonly attemptTimeoutMs: number;
}

const NO_TRIM = Object.freeze({ messages: 0, passages: 0 });
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Upper bound and estimate of prompt tokens without tokenizing: a BPE token is at least one UTF-8 byte. */
function boundTokens(request: GatewayChatRequest): { upper: number; estimate: number } {
  let bytes = 0;
  let overhead = 3;
  for (const message of request.messages) {
    bytes += Buffer.byteLength(message.content);
    overhead += 4;
    if (message.role === 'assistant' && message.toolCalls) {
      for (const call of message.toolCalls)
        bytes += Buffer.byteLength(call.name) + Buffer.byteLength(call.arguments) + 3;
    }
  }
  if (request.context && request.context.length > 0) {
    overhead += 40;
    for (const passage of request.context) {
      bytes += Buffer.byteLength(passage.text);
      overhead += 8;
    }
  }
  if (request.tools) {
    for (const tool of request.tools) bytes += Buffer.byteLength(JSON.stringify(tool)) + 8;
  }
  return { upper: bytes + overhead, estimate: Math.ceil(bytes / 4) + overhead };
}

/**
 * The gateway: routing by model or tier, budgets, token counting and trimming, response cache,
 * ordered fallbacks with retries and Retry-After, per-provider breakers and limits, cost, ledger
 * and telemetry. See `LlmGateway` for the guarantees.
 */
export class RoutingLlmGateway implements LlmGateway {
  private readonly models = new Map<string, ModelDefinition>();
  private readonly providers = new Map<string, LlmProvider>();
  private readonly guards = new Map<string, ProviderGuard>();
  private readonly router: TierRouter;
  private readonly prices: PriceTable;
  private readonly counter: TokenCounter;
  private readonly telemetry: GatewayTelemetry;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly random: () => number;
  private readonly rounds: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly attemptTimeoutMs: number;
  private readonly deadlineMs: number;

  constructor(private readonly options: RoutingLlmGatewayOptions) {
    this.now = options.now ?? Date.now;
    for (const registration of options.providers) {
      const name = registration.provider.name;
      if (this.providers.has(name))
        throw new InvalidLlmRequestError({ message: `provider "${name}" is registered twice` });
      this.providers.set(name, registration.provider);
      this.guards.set(name, new ProviderGuard(name, registration.limits, registration.breaker, this.now));
    }
    for (const model of options.models) {
      if (!this.providers.has(model.provider)) {
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
    this.router = new TierRouter(options.tierRules);
    this.prices = options.prices ?? new PriceTable();
    this.counter = options.tokenCounter ?? new TiktokenCounter();
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
    this.rounds = Math.max(1, options.retry?.rounds ?? 3);
    this.baseDelayMs = options.retry?.baseDelayMs ?? 100;
    this.maxDelayMs = options.retry?.maxDelayMs ?? 2_000;
    this.maxRetryAfterMs = options.retry?.maxRetryAfterMs ?? 10_000;
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? 30_000;
    this.deadlineMs = options.deadlineMs ?? 60_000;
    this.telemetry = new GatewayTelemetry(
      () => [...this.guards.values()].map((guard) => ({ provider: guard.provider, state: guard.state })),
      options.tracer,
      options.meter,
    );
  }

  /** Breaker state per provider, for health endpoints. */
  breakerStates(): Record<string, string> {
    const states: Record<string, string> = {};
    for (const [name, guard] of this.guards) states[name] = guard.state;
    return states;
  }

  async chat(request: GatewayChatRequest): Promise<GatewayChatResult> {
    const started = performance.now();
    this.validate(request);
    const span = this.telemetry.tracer.startSpan(SPAN.llmGateway, {
      kind: SpanKind.INTERNAL,
      attributes: { [ATTR.tenantId]: request.tenantId, [ATTR.genAiOperationName]: 'chat' },
    });
    const deadline = new CallDeadline(request.deadlineMs ?? this.deadlineMs, request.signal);
    try {
      const plan = await this.plan(request);
      span.setAttribute('ai_scale.llm.tier', plan.tier ?? 'explicit');
      const cacheRequest =
        this.options.cache && !request.noCache ? this.cacheRequest(request, plan) : undefined;
      if (cacheRequest) {
        const hit = await this.lookup(cacheRequest);
        if (hit) {
          const result = await this.answerFromCache(request, plan, hit.result, hit.kind);
          this.finish(span, started, result.model, result.provider, hit.result.usage, 0, 0, hit.kind);
          return result;
        }
      }
      const parent = trace.setSpan(otelContext.active(), span);
      const attempts: AttemptRecord[] = [];
      const outcome = await this.runRoute(request, plan, deadline, attempts, parent, (prepared, signal) =>
        prepared.provider.chat(prepared.request, { signal }),
      );
      const { prepared, value } = outcome;
      const costUsd = this.prices.cost(prepared.model.id, value.usage);
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
      await this.recordUsage(request, result.provider, prepared.model.id, value.usage, costUsd, null, 0, 0);
      if (cacheRequest) await this.store(cacheRequest, { ...value, model: prepared.model.id }, costUsd);
      this.finish(
        span,
        started,
        prepared.model.id,
        result.provider,
        value.usage,
        costUsd,
        outcome.fallbacks,
        null,
        value.finishReason,
      );
      return result;
    } catch (error) {
      this.fail(span, started, error);
      throw error;
    } finally {
      span.end();
    }
  }

  async *stream(request: GatewayChatRequest): AsyncIterable<GatewayStreamEvent> {
    const started = performance.now();
    this.validate(request);
    const span = this.telemetry.tracer.startSpan(SPAN.llmGateway, {
      kind: SpanKind.INTERNAL,
      attributes: {
        [ATTR.tenantId]: request.tenantId,
        [ATTR.genAiOperationName]: 'chat',
        'ai_scale.llm.stream': true,
      },
    });
    const deadline = new CallDeadline(request.deadlineMs ?? this.deadlineMs, request.signal);
    let streamTimer: NodeJS.Timeout | undefined;
    let onCallerAbort: (() => void) | undefined;
    try {
      const plan = await this.plan(request);
      const cacheRequest =
        this.options.cache && !request.noCache ? this.cacheRequest(request, plan) : undefined;
      if (cacheRequest) {
        const hit = await this.lookup(cacheRequest);
        if (hit) {
          const result = await this.answerFromCache(request, plan, hit.result, hit.kind);
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
          this.finish(span, started, result.model, result.provider, hit.result.usage, 0, 0, hit.kind);
          return;
        }
      }
      const parent = trace.setSpan(otelContext.active(), span);
      const attempts: AttemptRecord[] = [];
      // An attempt succeeds once the provider produced its first delta; after that there is no fallback.
      const outcome = await this.runRoute(
        request,
        plan,
        deadline,
        attempts,
        parent,
        async (prepared, signal) => {
          // The stream outlives the attempt: it gets its own controller, tied to the attempt only
          // until the first delta, then to the overall deadline.
          const controller = new AbortController();
          const onAttemptAbort = (): void => controller.abort(signal.reason);
          signal.addEventListener('abort', onAttemptAbort, { once: true });
          try {
            const stream = prepared.provider.stream(prepared.request, { signal: controller.signal });
            const iterator = stream[Symbol.asyncIterator]();
            const first = await iterator.next();
            return { iterator, first, controller };
          } finally {
            signal.removeEventListener('abort', onAttemptAbort);
          }
        },
      );
      const { prepared } = outcome;
      const { iterator, controller } = outcome.value;
      streamTimer = setTimeout(() => controller.abort(deadline.error()), deadline.remaining());
      if (request.signal) {
        const caller = request.signal;
        onCallerAbort = () => controller.abort(deadline.error());
        caller.addEventListener('abort', onCallerAbort, { once: true });
      }
      let next = outcome.value.first;
      let text = '';
      let done: Extract<ChatDelta, { type: 'done' }> | undefined;
      try {
        while (!next.done) {
          const delta = next.value;
          if (delta.type === 'done') done = delta;
          else {
            if (delta.type === 'text') text += delta.text;
            yield delta;
          }
          next = await raceAbort(iterator.next(), controller.signal);
        }
      } finally {
        // The consumer stopped early or the stream failed: release the provider's connection.
        if (!next.done) await iterator.return?.().catch(() => undefined);
      }
      const usage = done?.usage ?? { promptTokens: 0, completionTokens: 0, cachedTokens: 0 };
      const costUsd = this.prices.cost(prepared.model.id, usage);
      await this.recordUsage(request, prepared.provider.name, prepared.model.id, usage, costUsd, null, 0, 0);
      if (cacheRequest && done && done.finishReason !== 'tool_calls') {
        await this.store(
          cacheRequest,
          {
            content: text,
            toolCalls: [],
            finishReason: done.finishReason,
            usage,
            model: prepared.model.id,
            provider: prepared.provider.name,
            citations: done.citations,
          },
          costUsd,
        );
      }
      yield {
        type: 'done',
        usage,
        finishReason: done?.finishReason ?? 'other',
        model: prepared.model.id,
        provider: prepared.provider.name,
        costUsd,
        cache: null,
        attempts,
        fallbacks: outcome.fallbacks,
        citations: done?.citations,
      };
      this.finish(
        span,
        started,
        prepared.model.id,
        prepared.provider.name,
        usage,
        costUsd,
        outcome.fallbacks,
        null,
        done?.finishReason,
      );
    } catch (error) {
      this.fail(span, started, error);
      throw error;
    } finally {
      clearTimeout(streamTimer);
      if (onCallerAbort) request.signal?.removeEventListener('abort', onCallerAbort);
      span.end();
    }
  }

  private validate(request: GatewayChatRequest): void {
    const problems: string[] = [];
    if (!request.tenantId) problems.push('tenantId is required');
    if (!request.requestId) problems.push('requestId is required');
    if (!Array.isArray(request.messages) || request.messages.length === 0)
      problems.push('messages must not be empty');
    if (request.model !== undefined && !this.models.has(request.model))
      problems.push(`unknown model "${request.model}"`);
    if (request.temperature !== undefined && !(request.temperature >= 0 && request.temperature <= 2)) {
      problems.push('temperature must be between 0 and 2');
    }
    if (request.maxCostUsd !== undefined && !(request.maxCostUsd >= 0))
      problems.push('maxCostUsd must be >= 0');
    if (request.maxTokens !== undefined && !(Number.isInteger(request.maxTokens) && request.maxTokens > 0)) {
      problems.push('maxTokens must be a positive integer');
    }
    for (const tool of request.tools ?? []) {
      if (!TOOL_NAME.test(tool.name))
        problems.push(`tool name "${tool.name}" must match ${TOOL_NAME.source}`);
    }
    for (const message of request.messages ?? []) {
      if (typeof message.content !== 'string') problems.push(`a ${message.role} message has no text content`);
      if (message.role === 'tool' && !message.toolCallId) problems.push('a tool message needs toolCallId');
    }
    if (problems.length > 0) {
      throw new InvalidLlmRequestError({ message: problems.join('; '), details: { problems } });
    }
  }

  private async plan(request: GatewayChatRequest): Promise<Plan> {
    const bound = boundTokens(request);
    let tier: ModelTier | null;
    let explicit: ModelDefinition | undefined;
    if (request.model !== undefined) {
      explicit = this.models.get(request.model) as ModelDefinition;
      tier = explicit.tier ?? null;
    } else {
      tier = request.tier ?? this.router.classify(request, bound.estimate).tier;
    }
    let downgraded = false;
    const budget = this.options.budgets?.(request.tenantId);
    if (budget && this.options.ledger) {
      const over = await this.overBudget(request.tenantId, budget);
      if (over) {
        const canDowngrade =
          budget.onExceeded === 'downgrade' && tier === 'large' && this.options.routes.small.length > 0;
        if (!canDowngrade) throw over;
        tier = 'small';
        explicit = undefined;
        downgraded = true;
      }
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
    return { tier, target, chain, downgraded, estimateTokens: bound.estimate, upperBoundTokens: bound.upper };
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
        completionTokens: request.maxTokens ?? model.maxOutputTokens ?? 1_024,
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

  private async overBudget(tenantId: string, budget: TenantBudget): Promise<BudgetExceededError | undefined> {
    const ledger = this.options.ledger as UsageLedger;
    const at = new Date(this.now());
    for (const [period, limit] of [
      ['day', budget.dailyUsd],
      ['month', budget.monthlyUsd],
    ] as const) {
      if (limit === undefined) continue;
      const spent = (await ledger.totals(tenantId, period, at)).costUsd;
      if (spent >= limit) {
        return new BudgetExceededError({
          message: `tenant ${tenantId} spent ${spent.toFixed(4)} USD of its ${period === 'day' ? 'daily' : 'monthly'} ${limit} USD budget`,
          tenantId,
          period,
          limitUsd: limit,
          spentUsd: spent,
        });
      }
    }
    return undefined;
  }

  /** The request as one model receives it, trimmed to that model's input budget when needed. */
  private prepare(request: GatewayChatRequest, plan: Plan, model: ModelDefinition): Prepared {
    const outputReserve = request.maxTokens ?? model.maxOutputTokens ?? 1_024;
    const inputBudget = model.contextWindow - outputReserve;
    let messages = request.messages;
    let context = request.context;
    let trimmed: Prepared['trimmed'] = NO_TRIM;
    let promptTokens = plan.estimateTokens;
    // Tokenize only when the prompt might not fit: the byte bound is cheap and never under-counts.
    if (plan.upperBoundTokens > inputBudget) {
      const fitted = trimToBudget(this.counter, messages, context, request.tools, inputBudget, model.id);
      messages = fitted.messages;
      context = fitted.context;
      promptTokens = fitted.promptTokens;
      if (fitted.droppedMessages > 0 || fitted.droppedPassages > 0) {
        trimmed = { messages: fitted.droppedMessages, passages: fitted.droppedPassages };
      }
    }
    // Built field by field: no spread of optional fields, no undefined keys on the wire.
    const chatRequest: { -readonly [K in keyof ChatRequest]: ChatRequest[K] } = {
      model: model.providerModel ?? model.id,
      messages,
    };
    if (request.tools) chatRequest.tools = request.tools;
    if (request.toolChoice !== undefined) chatRequest.toolChoice = request.toolChoice;
    if (request.responseFormat) chatRequest.responseFormat = request.responseFormat;
    if (request.temperature !== undefined) chatRequest.temperature = request.temperature;
    if (request.maxTokens !== undefined) chatRequest.maxTokens = request.maxTokens;
    if (request.seed !== undefined) chatRequest.seed = request.seed;
    if (request.stop) chatRequest.stop = request.stop;
    if (context) chatRequest.context = context;
    const provider = this.providers.get(model.provider) as LlmProvider;
    const spanAttributes: Attributes = {
      [ATTR.genAiOperationName]: 'chat',
      [ATTR.genAiProviderName]: provider.name,
      [ATTR.genAiSystem]: provider.name,
      [ATTR.genAiRequestModel]: chatRequest.model,
    };
    if (request.temperature !== undefined) spanAttributes[ATTR.genAiRequestTemperature] = request.temperature;
    if (request.maxTokens !== undefined) spanAttributes[ATTR.genAiRequestMaxTokens] = request.maxTokens;
    return {
      model,
      guard: this.guards.get(model.provider) as ProviderGuard,
      provider,
      request: chatRequest,
      tokens: promptTokens + outputReserve,
      trimmed,
      spanAttributes,
      attemptTimeoutMs: request.attemptTimeoutMs ?? model.attemptTimeoutMs ?? this.attemptTimeoutMs,
    };
  }

  /**
   * Walks the route: every model in order, then again after a back-off (honouring the longest
   * pending Retry-After), for `rounds` passes or until the deadline.
   */
  private async runRoute<T>(
    request: GatewayChatRequest,
    plan: Plan,
    deadline: CallDeadline,
    attempts: AttemptRecord[],
    parent: ReturnType<typeof otelContext.active>,
    call: (prepared: Prepared, signal: AbortSignal) => Promise<T>,
  ): Promise<{ prepared: Prepared; value: T; fallbacks: number }> {
    const prepared = new Map<string, Prepared>();
    const excluded = new Set<string>();
    let lastError: unknown;
    let fallbacks = 0;
    let tried = 0;
    let panicked = this.options.whenAllBreakersOpen === 'fail';
    for (let round = 0; round < this.rounds; round++) {
      let firstOpen: Prepared | undefined;
      let otherOutcome = false;
      if (round > 0) {
        const backoff =
          Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (round - 1)) * (0.5 + this.random() / 2);
        let soonest = Number.POSITIVE_INFINITY;
        for (const model of plan.chain) {
          if (!excluded.has(model.id)) {
            soonest = Math.min(soonest, (this.guards.get(model.provider) as ProviderGuard).waitMs());
          }
        }
        if (soonest === Number.POSITIVE_INFINITY || soonest > this.maxRetryAfterMs) break;
        const wait = Math.max(backoff, soonest);
        if (wait >= deadline.remaining()) throw deadline.error();
        await this.sleep(wait, deadline.callerSignal);
      }
      for (const model of plan.chain) {
        if (excluded.has(model.id)) continue;
        if (deadline.expired()) throw deadline.error();
        let target = prepared.get(model.id);
        if (!target) {
          try {
            target = this.prepare(request, plan, model);
          } catch (error) {
            // Too big for this model even trimmed: a larger model later in the route may fit.
            excluded.add(model.id);
            lastError = error;
            continue;
          }
          prepared.set(model.id, target);
        }
        if (tried > 0) fallbacks++;
        tried++;
        try {
          const value = await this.attempt(target, deadline, attempts, parent, call, false);
          return { prepared: target, value, fallbacks };
        } catch (error) {
          lastError = error;
          if (deadline.expired()) throw deadline.error();
          if (LlmGatewayError.isInstance(error) && error.code === 'CIRCUIT_OPEN') firstOpen ??= target;
          else if (!(LlmGatewayError.isInstance(error) && error.details.local === true)) otherOutcome = true;
          if (!LlmGatewayError.isInstance(error)) {
            excluded.add(model.id);
            continue;
          }
          if (error.code === 'INVALID_LLM_REQUEST') throw error;
          if (
            error instanceof ProviderRateLimitedError &&
            error.retryAfterMs !== undefined &&
            !error.details.local
          ) {
            target.guard.noteRetryAfter(error.retryAfterMs);
          }
          if (!error.isRetryable) excluded.add(model.id);
        }
      }
      if (firstOpen && !otherOutcome && !panicked) {
        panicked = true;
        fallbacks++;
        try {
          const value = await this.attempt(firstOpen, deadline, attempts, parent, call, true);
          return { prepared: firstOpen, value, fallbacks };
        } catch (error) {
          lastError = error;
          if (deadline.expired()) throw deadline.error();
          if (LlmGatewayError.isInstance(error) && error.code === 'INVALID_LLM_REQUEST') throw error;
        }
      }
    }
    if (attempts.length > 0 && attempts.every((attempt) => attempt.outcome === 'CIRCUIT_OPEN')) {
      throw new CircuitOpenError({
        message: 'every provider of the route has an open circuit breaker',
        cause: lastError,
        details: { attempts },
      });
    }
    if (attempts.length === 0 && LlmGatewayError.isInstance(lastError)) throw lastError;
    throw new AllProvidersFailedError({
      message: `all ${plan.chain.length} model(s) of the route failed after ${attempts.length} attempt(s)`,
      cause: lastError,
      details: { attempts },
    });
  }

  /**
   * One attempt on one model: a fresh AbortController, one timer bounded by both the attempt
   * timeout and the call's remaining deadline, the provider's guard (limits, breaker), and a span.
   * The attempt settles when its timer fires even if the provider ignores the abort signal.
   */
  private attempt<T>(
    target: Prepared,
    deadline: CallDeadline,
    attempts: AttemptRecord[],
    parent: ReturnType<typeof otelContext.active>,
    call: (prepared: Prepared, signal: AbortSignal) => Promise<T>,
    bypassBreaker: boolean,
  ): Promise<T> {
    const started = performance.now();
    const span: Span = this.telemetry.tracer.startSpan(
      `chat ${target.model.id}`,
      { kind: SpanKind.CLIENT, attributes: target.spanAttributes },
      parent,
    );
    const controller = new AbortController();
    const remaining = deadline.remaining();
    const attemptTimeoutMs = target.attemptTimeoutMs;
    const byDeadline = remaining < attemptTimeoutMs;
    const caller = deadline.callerSignal;
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const settle = (error: unknown, value?: T): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (onCallerAbort) caller?.removeEventListener('abort', onCallerAbort);
        const durationMs = performance.now() - started;
        if (error === undefined) {
          attempts.push({
            provider: target.provider.name,
            model: target.model.id,
            outcome: 'ok',
            durationMs,
          });
          const result = value as Partial<ChatResult>;
          if (result.usage) {
            span.setAttribute(ATTR.genAiResponseModel, result.model ?? target.request.model);
            span.setAttribute(ATTR.genAiUsageInputTokens, result.usage.promptTokens);
            span.setAttribute(ATTR.genAiUsageOutputTokens, result.usage.completionTokens);
            if (result.finishReason)
              span.setAttribute(ATTR.genAiResponseFinishReasons, [result.finishReason]);
          }
          span.end();
          resolve(value as T);
        } else {
          const code = LlmGatewayError.isInstance(error) ? error.code : 'UNKNOWN';
          attempts.push({
            provider: target.provider.name,
            model: target.model.id,
            outcome: code,
            durationMs,
          });
          span.setAttribute(ATTR.errorType, code);
          span.setStatus({
            code: SpanStatusCode.ERROR,
            message: error instanceof Error ? error.message : String(error),
          });
          span.end();
          reject(error);
        }
      };
      const timer = setTimeout(
        () => {
          const error = byDeadline
            ? deadline.error()
            : new ProviderTimeoutError({
                message: `attempt on ${target.model.id} timed out after ${attemptTimeoutMs} ms`,
                provider: target.provider.name,
              });
          controller.abort(error);
          settle(error);
        },
        byDeadline ? remaining : attemptTimeoutMs,
      );
      const onCallerAbort = caller
        ? (): void => {
            const error = deadline.error();
            controller.abort(error);
            settle(error);
          }
        : undefined;
      if (caller && onCallerAbort) caller.addEventListener('abort', onCallerAbort, { once: true });
      if (bypassBreaker) span.setAttribute('ai_scale.llm.breaker_bypassed', true);
      target.guard
        .execute((signal) => call(target, signal), controller.signal, target.tokens, bypassBreaker)
        .then(
          (value) => settle(undefined, value),
          (error: unknown) => settle(error ?? new Error('undefined rejection')),
        );
    });
  }

  private cacheRequest(request: GatewayChatRequest, plan: Plan): CacheableRequest {
    return {
      tenantId: request.tenantId,
      target: plan.target,
      key: JSON.stringify([
        request.promptVersion,
        request.messages,
        request.context?.map((passage) => [passage.documentId, passage.chunkId, passage.text]),
        request.tools,
        request.toolChoice,
        request.responseFormat,
        request.temperature,
        request.maxTokens,
        request.seed,
        request.stop,
      ]),
      question: lastUserText(request.messages),
      promptVersion: request.promptVersion ?? 'default',
      messages: request.messages,
      context: request.context,
      tools: request.tools,
      toolChoice: request.toolChoice,
      responseFormat: request.responseFormat,
      temperature: request.temperature,
      maxTokens: request.maxTokens,
      seed: request.seed,
      stop: request.stop,
    };
  }

  private async lookup(
    request: CacheableRequest,
  ): Promise<{ kind: CacheKind; result: ChatResult } | undefined> {
    try {
      const hit = await (this.options.cache as ResponseCacheHook).lookup(request);
      return hit ? { kind: hit.kind, result: hit.value.result } : undefined;
    } catch (error) {
      this.options.onBackgroundError?.(error, 'cache');
      return undefined;
    }
  }

  private async store(request: CacheableRequest, result: ChatResult, costUsd: number): Promise<void> {
    if (result.toolCalls.length > 0) return;
    try {
      await (this.options.cache as ResponseCacheHook).store(request, { result, costUsd });
    } catch (error) {
      this.options.onBackgroundError?.(error, 'cache');
    }
  }

  private async answerFromCache(
    request: GatewayChatRequest,
    plan: Plan,
    cached: ChatResult,
    kind: CacheKind,
  ): Promise<GatewayChatResult> {
    const savedCostUsd = this.prices.cost(cached.model, cached.usage);
    await this.recordUsage(
      request,
      cached.provider,
      cached.model,
      { promptTokens: 0, completionTokens: 0, cachedTokens: 0 },
      0,
      kind,
      cached.usage.promptTokens + cached.usage.completionTokens,
      savedCostUsd,
    );
    return {
      ...cached,
      requestId: request.requestId,
      tier: plan.tier,
      costUsd: 0,
      cache: kind,
      savedCostUsd,
      attempts: [],
      fallbacks: 0,
      downgraded: plan.downgraded,
      trimmed: NO_TRIM,
    };
  }

  private async recordUsage(
    request: GatewayChatRequest,
    provider: string,
    model: string,
    usage: TokenUsage,
    costUsd: number,
    cacheKind: CacheKind | null,
    savedTokens: number,
    savedCostUsd: number,
  ): Promise<void> {
    const ledger = this.options.ledger;
    if (!ledger) return;
    try {
      await ledger.record({
        tenantId: request.tenantId,
        requestId: request.requestId,
        at: new Date(this.now()),
        provider,
        model,
        promptTokens: usage.promptTokens,
        completionTokens: usage.completionTokens,
        cachedTokens: usage.cachedTokens,
        costUsd,
        cacheKind,
        savedTokens,
        savedCostUsd,
      });
    } catch (error) {
      this.options.onBackgroundError?.(error, 'ledger');
    }
  }

  private finish(
    span: Span,
    started: number,
    model: string,
    provider: string,
    usage: TokenUsage,
    costUsd: number,
    fallbacks: number,
    cache: CacheKind | null,
    finishReason?: string,
  ): void {
    if (span.isRecording()) {
      span.setAttribute(ATTR.genAiRequestModel, model);
      span.setAttribute(ATTR.genAiProviderName, provider);
      span.setAttribute(ATTR.genAiResponseModel, model);
      span.setAttribute(ATTR.genAiUsageInputTokens, usage.promptTokens);
      span.setAttribute(ATTR.genAiUsageOutputTokens, usage.completionTokens);
      span.setAttribute('ai_scale.llm.cost_usd', costUsd);
      span.setAttribute('ai_scale.llm.fallbacks', fallbacks);
      span.setAttribute('ai_scale.llm.cache', cache ?? 'miss');
      if (finishReason) span.setAttribute(ATTR.genAiResponseFinishReasons, [finishReason]);
    }
    this.telemetry.recordCall(
      performance.now() - started,
      this.telemetry.attributesFor(model, provider),
      cache ? undefined : usage,
      costUsd,
      fallbacks,
    );
  }

  private fail(span: Span, started: number, error: unknown): void {
    const code = LlmGatewayError.isInstance(error) ? error.code : 'UNKNOWN';
    span.setAttribute(ATTR.errorType, code);
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: error instanceof Error ? error.message : String(error),
    });
    this.telemetry.recordFailure(performance.now() - started, code);
  }
}

/** Builds the gateway (see `RoutingLlmGatewayOptions`). */
export function createLlmGateway(options: RoutingLlmGatewayOptions): RoutingLlmGateway {
  return new RoutingLlmGateway(options);
}
