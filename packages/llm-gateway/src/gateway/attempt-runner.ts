import {
  SpanKind,
  SpanStatusCode,
  type context as otelContext,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { ATTR } from '@ai-scale/telemetry';
import { AllProvidersFailedError } from '../errors/all-providers-failed.error';
import { CircuitOpenError } from '../errors/circuit-open.error';
import { LlmGatewayError } from '../errors/llm-gateway.error';
import { ProviderRateLimitedError } from '../errors/provider-rate-limited.error';
import { ProviderTimeoutError } from '../errors/provider-timeout.error';
import type { AttemptRecord, GatewayChatRequest } from '../ports/llm-gateway';
import type { ChatResult } from '../ports/llm-provider';
import type { CallDeadline } from './call-deadline';
import type { Plan, Prepared, RoutingLlmGatewayOptions } from './gateway-options';
import type { ProviderGuard } from './provider-guard';
import type { RequestPreparer } from './request-preparer';

/**
 * The attempt loop: walks a plan's chain of models in order, falls back on failure, retries the
 * whole route after a back-off that honours the longest pending Retry-After, sends one attempt
 * around the breaker when every breaker is open (`whenAllBreakersOpen`), and gives every attempt
 * its own timer, abort controller and client span.
 */
export class AttemptRunner {
  private readonly rounds: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxRetryAfterMs: number;

  constructor(
    private readonly options: Pick<RoutingLlmGatewayOptions, 'retry' | 'whenAllBreakersOpen'>,
    private readonly guards: ReadonlyMap<string, ProviderGuard>,
    private readonly preparer: RequestPreparer,
    private readonly tracer: Tracer,
    private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>,
    private readonly random: () => number,
  ) {
    this.rounds = Math.max(1, options.retry?.rounds ?? 3);
    this.baseDelayMs = options.retry?.baseDelayMs ?? 100;
    this.maxDelayMs = options.retry?.maxDelayMs ?? 2_000;
    this.maxRetryAfterMs = options.retry?.maxRetryAfterMs ?? 10_000;
  }

  /**
   * Walks the route: every model in order, then again after a back-off (honouring the longest
   * pending Retry-After), for `rounds` passes or until the deadline.
   */
  async run<T>(
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
            target = this.preparer.prepare(request, plan, model);
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
    const span: Span = this.tracer.startSpan(
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
            span.setAttribute(ATTR.genAiUsageCacheReadInputTokens, result.usage.cachedTokens);
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
}
