import { setTimeout as sleep } from 'node:timers/promises';
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

/**
 * POSTs JSON with bounded concurrency and retries: exponential backoff with full jitter, or the
 * server's `Retry-After` (seconds or HTTP date) when it sends one. Failures are reported through
 * `fail`, which builds the adapter's typed error. Shared by the HTTP embedder and reranker adapters.
 */
export class HttpJsonClient {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly options: HttpJsonClientOptions,
    private readonly fail: (failure: HttpFailure) => Error,
  ) {}

  async post(
    url: string,
    body: unknown,
    headers: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<unknown> {
    await this.acquire();
    try {
      return await this.postWithRetries(url, body, headers, signal);
    } finally {
      this.release();
    }
  }

  private async postWithRetries(
    url: string,
    body: unknown,
    headers: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<unknown> {
    const maxRetries = this.options.maxRetries ?? 4;
    for (let attempt = 0; ; attempt++) {
      let failure: HttpFailure;
      let retryAfterMs: number | undefined;
      let status: number | undefined;
      let text = '';
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
        if (signal?.aborted)
          throw this.fail({ retryable: false, message: `request to ${url} aborted`, cause: error });
        status = undefined;
        failure = { retryable: true, message: `request to ${url} failed: ${String(error)}`, cause: error };
      }
      if (status !== undefined && status >= 200 && status < 300) {
        try {
          return JSON.parse(text) as unknown;
        } catch (error) {
          throw this.fail({ status, retryable: false, message: `invalid JSON from ${url}`, cause: error });
        }
      }
      if (status !== undefined) {
        failure = {
          status,
          retryable: status === 408 || status === 409 || status === 429 || status >= 500,
          message: `${url} answered ${status}: ${text.slice(0, 300)}`,
        };
      }
      failure ??= { retryable: true, message: `request to ${url} failed` };
      if (!failure.retryable || attempt >= maxRetries) throw this.fail(failure);
      await sleep(this.backoff(attempt, retryAfterMs), undefined, signal ? { signal } : undefined);
    }
  }

  private backoff(attempt: number, retryAfterMs: number | undefined): number {
    const cap = this.options.maxBackoffMs ?? 20_000;
    if (retryAfterMs !== undefined) return Math.min(cap, retryAfterMs);
    const ceiling = Math.min(cap, (this.options.initialBackoffMs ?? 250) * 2 ** attempt);
    return Math.round((this.options.random ?? Math.random)() * ceiling);
  }

  private async acquire(): Promise<void> {
    if (this.active < (this.options.concurrency ?? 4)) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
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
