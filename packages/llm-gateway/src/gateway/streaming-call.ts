import { context as otelContext, trace, type Span } from '@opentelemetry/api';
import type { PriceTable } from '../pricing/price-table';
import type { AttemptRecord, GatewayChatRequest, GatewayStreamEvent } from '../ports/llm-gateway';
import type { ChatDelta } from '../ports/llm-provider';
import type { CacheableRequest } from '../ports/response-cache-hook';
import { abortError } from '../util/abort';
import type { AttemptRunner } from './attempt-runner';
import type { CallDeadline } from './call-deadline';
import type { CallSpans } from './call-span';
import type { Plan } from './gateway-options';
import type { ResponseCacheStep } from './response-cache-step';
import type { UsageRecorder } from './usage-recorder';

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

/**
 * A streamed call once planned: the route is walked until one provider produced its first delta
 * (fallbacks happen only before it), then the deltas are relayed under the call's deadline and the
 * caller's signal, and the call is priced, recorded and cached.
 */
export class StreamingCall {
  constructor(
    private readonly runner: AttemptRunner,
    private readonly prices: PriceTable,
    private readonly recorder: UsageRecorder,
    private readonly cache: ResponseCacheStep,
    private readonly spans: CallSpans,
  ) {}

  async *relay(
    request: GatewayChatRequest,
    plan: Plan,
    cacheRequest: CacheableRequest | undefined,
    deadline: CallDeadline,
    span: Span,
    started: number,
  ): AsyncGenerator<GatewayStreamEvent> {
    let streamTimer: NodeJS.Timeout | undefined;
    let onCallerAbort: (() => void) | undefined;
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
      await this.recorder.record(request, {
        provider: prepared.provider.name,
        model: prepared.model.id,
        usage,
        costUsd,
        cacheKind: null,
        savedTokens: 0,
        savedCostUsd: 0,
      });
      if (cacheRequest && done && done.finishReason !== 'tool_calls') {
        await this.cache.store(
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
    }
  }
}
