import { ContextWindowExceededError } from '../errors/context-window-exceeded.error';
import { InvalidLlmRequestError } from '../errors/invalid-llm-request.error';
import type { LlmGatewayError } from '../errors/llm-gateway.error';
import { ProviderRateLimitedError } from '../errors/provider-rate-limited.error';
import { ProviderTimeoutError } from '../errors/provider-timeout.error';
import { ProviderUnavailableError } from '../errors/provider-unavailable.error';

/**
 * Reads how long a 429 asks to wait: `retry-after-ms` (OpenAI), else `retry-after` as seconds or as
 * an HTTP date. Undefined when the provider did not say.
 */
export function parseRetryAfterMs(
  header: (name: string) => string | undefined,
  now: number = Date.now(),
): number | undefined {
  const milliseconds = header('retry-after-ms');
  if (milliseconds !== undefined && Number.isFinite(Number(milliseconds)))
    return Math.max(0, Number(milliseconds));
  const value = header('retry-after');
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Maps an HTTP error status of a model API to the typed errors of the port. */
export function errorFromStatus(options: {
  readonly provider: string;
  readonly status: number;
  readonly message: string;
  readonly header: (name: string) => string | undefined;
  readonly contextWindowExceeded?: boolean;
}): LlmGatewayError {
  const { provider, status, message, header } = options;
  const details = { status };
  if (status === 429) {
    return new ProviderRateLimitedError({
      message,
      provider,
      retryAfterMs: parseRetryAfterMs(header),
      details,
    });
  }
  if (status === 408 || status === 504) return new ProviderTimeoutError({ message, provider, details });
  if (options.contextWindowExceeded) return new ContextWindowExceededError({ message, provider, details });
  // 529 is Anthropic's "overloaded"; every 5xx is worth another try and a fall back.
  if (status >= 500) return new ProviderUnavailableError({ message, provider, details });
  // Bad key or no access: the same request will not succeed here, but another provider may answer.
  if (status === 401 || status === 403 || status === 404) {
    return new ProviderUnavailableError({ message, provider, isRetryable: false, details });
  }
  return new InvalidLlmRequestError({ message, provider, details });
}
