import { setTimeout as sleep } from 'node:timers/promises';
import {
  bulkhead,
  type BulkheadPolicy,
  ConstantBackoff,
  handleWhen,
  retry,
  type RetryPolicy,
} from 'cockatiel';
import { request } from 'undici';

export interface HttpJsonClientOptions {
  /** Retries after the first attempt for 408, 409, 429, 5xx and network errors (default 4). */
  readonly maxRetries?: number;
  /** First backoff (default 250 ms); doubles per attempt with full jitter, capped by `maxBackoffMs`. */
  readonly initialBackoffMs?: number;
  /** Upper bound of one wait, including a server's `Retry-After` (default 20 s). */
  readonly maxBackoffMs?: number;
  /** Per-attempt timeout (default 30 s). */
  readonly timeoutMs?: number;
  /** Requests in flight at once through this client (default 4). */
  readonly concurrency?: number;
  /** Deterministic jitter for tests (default `Math.random`). */
  readonly random?: () => number;
}

export interface HttpFailure {
  readonly status?: number;
  readonly retryable: boolean;
  readonly message: string;
  readonly cause?: unknown;
}

/** One failed attempt, carried through cockatiel's retry policy to the backoff and the caller. */
class AttemptFailure extends Error {
  constructor(
    readonly failure: HttpFailure,
    readonly retryAfterMs: number | undefined,
  ) {
    super(failure.message);
  }
}

/**
 * POSTs JSON with bounded concurrency and retries, on cockatiel (the resilience library the LLM
 * gateway uses too): a bulkhead of `concurrency` around a retry policy; between attempts it waits
 * the server's `Retry-After` (seconds or HTTP date) when it sends one, else exponential backoff
 * with full jitter, and an abort of the caller's signal ends the wait at once. Failures are reported through `fail`, which builds the adapter's typed error. Shared by
 * the HTTP embedder and reranker adapters.
 */
export class HttpJsonClient {
  private readonly bulkhead: BulkheadPolicy;
  private readonly retry: RetryPolicy;

  constructor(
    private readonly options: HttpJsonClientOptions,
    private readonly fail: (failure: HttpFailure) => Error,
  ) {
    this.bulkhead = bulkhead(options.concurrency ?? 4, Number.POSITIVE_INFINITY);
    // The policy decides whether and how often to retry; the wait itself happens in `post`, where
    // the caller's signal can cut it short (cockatiel's own backoff timer does not watch it).
    this.retry = retry(
      handleWhen((error) => error instanceof AttemptFailure && error.failure.retryable),
      { maxAttempts: options.maxRetries ?? 4, backoff: new ConstantBackoff(0) },
    );
  }

  async post(
    url: string,
    body: unknown,
    headers: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<unknown> {
    let previous: AttemptFailure | undefined;
    try {
      return await this.bulkhead.execute(
        () =>
          this.retry.execute(async ({ attempt }) => {
            if (attempt > 0)
              await sleep(
                this.backoff(attempt - 1, previous?.retryAfterMs),
                undefined,
                signal ? { signal } : {},
              );
            try {
              return await this.attempt(url, body, headers, signal);
            } catch (error) {
              if (error instanceof AttemptFailure) previous = error;
              throw error;
            }
          }, signal),
        signal,
      );
    } catch (error) {
      if (signal?.aborted)
        throw this.fail({ retryable: false, message: `request to ${url} aborted`, cause: error });
      if (error instanceof AttemptFailure) throw this.fail(error.failure);
      throw error;
    }
  }

  /** One request: the parsed JSON of a 2xx, else an `AttemptFailure` saying whether to retry. */
  private async attempt(
    url: string,
    body: unknown,
    headers: Record<string, string>,
    signal: AbortSignal | undefined,
  ): Promise<unknown> {
    let status: number;
    let text: string;
    let retryAfterMs: number | undefined;
    try {
      const response = await request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
        body: JSON.stringify(body),
        headersTimeout: this.options.timeoutMs ?? 30_000,
        bodyTimeout: this.options.timeoutMs ?? 30_000,
        ...(signal ? { signal } : {}),
      });
      status = response.statusCode;
      text = await response.body.text();
      retryAfterMs = parseRetryAfter(response.headers['retry-after']);
    } catch (error) {
      const retryable = !signal?.aborted;
      throw new AttemptFailure(
        { retryable, message: `request to ${url} failed: ${String(error)}`, cause: error },
        undefined,
      );
    }
    if (status >= 200 && status < 300) {
      try {
        return JSON.parse(text) as unknown;
      } catch (error) {
        throw new AttemptFailure(
          { status, retryable: false, message: `invalid JSON from ${url}`, cause: error },
          undefined,
        );
      }
    }
    throw new AttemptFailure(
      {
        status,
        retryable: status === 408 || status === 409 || status === 429 || status >= 500,
        message: `${url} answered ${status}: ${text.slice(0, 300)}`,
      },
      retryAfterMs,
    );
  }

  private backoff(attempt: number, retryAfterMs: number | undefined): number {
    const cap = this.options.maxBackoffMs ?? 20_000;
    if (retryAfterMs !== undefined) return Math.min(cap, retryAfterMs);
    const ceiling = Math.min(cap, (this.options.initialBackoffMs ?? 250) * 2 ** attempt);
    return Math.round((this.options.random ?? Math.random)() * ceiling);
  }
}

function parseRetryAfter(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
