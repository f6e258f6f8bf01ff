import { LlmGatewayError } from '../errors/llm-gateway.error';
import { ProviderTimeoutError } from '../errors/provider-timeout.error';

/** The error to throw when `signal` aborted: its reason when that is one of ours, else a timeout. */
export function abortError(signal: AbortSignal, provider?: string): LlmGatewayError {
  const reason: unknown = signal.reason;
  if (LlmGatewayError.isInstance(reason)) return reason;
  return new ProviderTimeoutError({
    message: 'the call was aborted before it finished',
    provider,
    cause: reason,
  });
}

/** Resolves after `ms`, or rejects with `abortError(signal)` as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortError(signal));
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError(signal as AbortSignal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
