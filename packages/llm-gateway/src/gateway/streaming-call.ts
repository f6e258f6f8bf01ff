import { context as otelContext, trace, type Span } from '@opentelemetry/api';
import type { PriceTable } from '../pricing/price-table';
import type { AttemptRecord, GatewayChatRequest, GatewayStreamEvent } from '../ports/llm-gateway';
import type { ChatDelta, TokenUsage } from '../ports/llm-provider';
import type { CacheableRequest } from '../ports/response-cache-hook';
import { countPromptTokens, type TokenCounter } from '../tokens/token-counter';
import { abortError } from '../util/abort';
import type { AttemptRunner } from './attempt-runner';
import type { CallDeadline } from './call-deadline';
import type { CallSpans } from './call-span';
import type { BudgetHold } from './budget-gate';
import type { Plan, Prepared } from './gateway-options';
import type { ResponseCacheStep } from './response-cache-step';
import type { UsageRecorder } from './usage-recorder';

const NO_USAGE: TokenUsage = Object.freeze({ promptTokens: 0, completionTokens: 0, cachedTokens: 0 });

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

/** Tokens of what a stream generated: its text and its tool calls' names and argument fragments. */
class GeneratedText {
  text = '';
  private tools = '';

  add(delta: Exclude<ChatDelta, { type: 'done' }>): void {
    if (delta.type === 'text') this.text += delta.text;
    else this.tools += (delta.name ?? '') + delta.argumentsDelta;
  }

  tokens(counter: TokenCounter): number {
    return (this.text ? counter.count(this.text) : 0) + (this.tools ? counter.count(this.tools) + 3 : 0);
  }
}

/**
 * A streamed call once planned: the route is walked until one provider produced its first delta
 * (fallbacks happen only before it), then the deltas are relayed under the call's deadline and the
 * caller's signal. The call is billed in a `finally` — on completion, when the consumer stops early
 * (a client disconnect), and when the provider breaks mid-stream — from the provider's usage when it
 * sent one, else from the counted prompt plus the counted tokens of what was generated
 * (`usageSource: 'counted'`); its budget hold is settled with that cost.
 */
export class StreamingCall {
  constructor(
    private readonly runner: AttemptRunner,
    private readonly prices: PriceTable,
    private readonly recorder: UsageRecorder,
    private readonly cache: ResponseCacheStep,
    private readonly spans: CallSpans,
    private readonly counter: TokenCounter,
  ) {}

  async *relay(
    request: GatewayChatRequest,
    plan: Plan,
    hold: BudgetHold,
    cacheRequest: CacheableRequest | undefined,
    deadline: CallDeadline,
    span: Span,
    started: number,
  ): AsyncGenerator<GatewayStreamEvent> {
    let streamTimer: NodeJS.Timeout | undefined;
    let onCallerAbort: (() => void) | undefined;
    let prepared: Prepared | undefined;
    let done: Extract<ChatDelta, { type: 'done' }> | undefined;
    let billed: { usage: TokenUsage; costUsd: number } | undefined;
    const generated = new GeneratedText();
    const bill = async (): Promise<{ usage: TokenUsage; costUsd: number }> => {
      if (billed) return billed;
      if (!prepared) {
        billed = { usage: NO_USAGE, costUsd: 0 };
        await hold.settle(0);
        return billed;
      }
      const usage: TokenUsage = done?.usage ?? {
        promptTokens: countPromptTokens(
          this.counter,
          prepared.request.messages,
          prepared.request.context,
          prepared.request.tools,
        ),
        completionTokens: generated.tokens(this.counter),
        cachedTokens: 0,
      };
      const costUsd = this.prices.cost(prepared.model.id, usage);
      billed = { usage, costUsd };
      // Ledger first, then the counters: a counter reseeded from the ledger in between over-counts
      // this call (the safe side), it never forgets it.
      await this.recorder.record(request, {
        provider: prepared.provider.name,
        model: prepared.model.id,
        usage,
        costUsd,
        cacheKind: null,
        savedTokens: 0,
        savedCostUsd: 0,
        usageSource: done?.usage ? 'provider' : 'counted',
      });
      await hold.settle(costUsd);
      return billed;
    };
    try {
      const parent = trace.setSpan(otelContext.active(), span);
      const attempts: AttemptRecord[] = [];
      // An attempt succeeds once the provider produced its first delta; after that there is no fallback.
      const outcome = await this.runner.run(
        request,
        plan,
        deadline,
        attempts,
        parent,
        async (target, signal) => {
          // The stream outlives the attempt: it gets its own controller, tied to the attempt only
          // until the first delta, then to the overall deadline.
          const controller = new AbortController();
          const onAttemptAbort = (): void => controller.abort(signal.reason);
          signal.addEventListener('abort', onAttemptAbort, { once: true });
          try {
            const stream = target.provider.stream(target.request, { signal: controller.signal });
            const iterator = stream[Symbol.asyncIterator]();
            const first = await iterator.next();
            return { iterator, first, controller };
          } finally {
            signal.removeEventListener('abort', onAttemptAbort);
          }
        },
      );
      prepared = outcome.prepared;
      const { iterator, controller } = outcome.value;
      streamTimer = setTimeout(() => controller.abort(deadline.error()), deadline.remaining());
      if (request.signal) {
        const caller = request.signal;
        onCallerAbort = () => controller.abort(deadline.error());
        caller.addEventListener('abort', onCallerAbort, { once: true });
      }
      let next = outcome.value.first;
      try {
        while (!next.done) {
          const delta = next.value;
          if (delta.type === 'done') done = delta;
          else {
            generated.add(delta);
            yield delta;
          }
          next = await raceAbort(iterator.next(), controller.signal);
        }
      } finally {
        // The consumer stopped early or the stream failed: release the provider's connection.
        if (!next.done) await iterator.return?.().catch(() => undefined);
      }
      const { usage, costUsd } = await bill();
      if (cacheRequest && done && done.finishReason !== 'tool_calls') {
        await this.cache.store(
          cacheRequest,
          {
            content: generated.text,
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
      this.spans.finish(span, started, {
        model: prepared.model.id,
        provider: prepared.provider.name,
        usage,
        costUsd,
        fallbacks: outcome.fallbacks,
        cache: null,
        finishReason: done?.finishReason,
      });
    } finally {
      clearTimeout(streamTimer);
      if (onCallerAbort) request.signal?.removeEventListener('abort', onCallerAbort);
      // Completion billed above; an abandoned or broken stream is billed here, once.
      await bill();
    }
  }
}
