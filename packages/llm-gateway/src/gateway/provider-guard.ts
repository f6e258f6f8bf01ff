import {
  BrokenCircuitError,
  BulkheadRejectedError,
  bulkhead,
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  handleWhen,
  IsolatedCircuitError,
  TaskCancelledError,
  type BulkheadPolicy,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import { CircuitOpenError } from '../errors/circuit-open.error';
import { LlmGatewayError } from '../errors/llm-gateway.error';
import { ProviderRateLimitedError } from '../errors/provider-rate-limited.error';
import type { RateLimiter } from '../ports/rate-limiter';
import { abortError } from '../util/abort';
import { TokenBucket } from './token-bucket';

const MINUTE = 60_000;

export interface ProviderLimits {
  /** Calls in flight at once (cockatiel bulkhead). Default: unlimited. */
  readonly concurrency?: number;
  /** Calls allowed to wait for a bulkhead slot. Default 0 when `concurrency` is set. */
  readonly queue?: number;
  /** Requests per minute (token bucket). */
  readonly rpm?: number;
  /** Tokens per minute, counting the prompt estimate plus the output reserve (token bucket). */
  readonly tpm?: number;
}

export interface BreakerOptions {
  /** Consecutive failures that open the breaker. Default 5. */
  readonly consecutiveFailures?: number;
  /** How long it stays open before letting one test call through (half-open). Default 10 s. */
  readonly halfOpenAfterMs?: number;
}

/** Errors that say the provider is unhealthy (not the request, not throttling). */
function isHealthFailure(error: Error): boolean {
  if (!LlmGatewayError.isInstance(error)) return true;
  return (
    error.code === 'PROVIDER_UNAVAILABLE' ||
    error.code === 'PROVIDER_TIMEOUT' ||
    error.code === 'PROVIDER_RESPONSE_INVALID'
  );
}

export type BreakerStateName = 'closed' | 'open' | 'half_open' | 'isolated';

const STATE_NAMES: Record<CircuitState, BreakerStateName> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half_open',
  [CircuitState.Isolated]: 'isolated',
};

/**
 * Everything the gateway puts around one provider: a cockatiel circuit breaker (consecutive
 * failures), a cockatiel bulkhead for concurrency, RPM/TPM token buckets, and the provider's own
 * Retry-After ("do not call before"), so one 429 protects every concurrent call, not just the one
 * that got it.
 */
export class ProviderGuard {
  readonly breaker: CircuitBreakerPolicy;
  private readonly bulkhead: BulkheadPolicy | undefined;
  private readonly rpm: TokenBucket | undefined;
  private readonly tpm: TokenBucket | undefined;
  private notBefore = 0;

  /**
   * `shared`: the RPM/TPM buckets live in that store (Redis: one budget per provider across every
   * replica) instead of this process.
   */
  constructor(
    readonly provider: string,
    private readonly limits: ProviderLimits = {},
    breaker: BreakerOptions = {},
    private readonly now: () => number = Date.now,
    private readonly shared?: RateLimiter,
  ) {
    this.breaker = circuitBreaker(handleWhen(isHealthFailure), {
      halfOpenAfter: breaker.halfOpenAfterMs ?? 10_000,
      breaker: new ConsecutiveBreaker(breaker.consecutiveFailures ?? 5),
    });
    this.bulkhead = limits.concurrency ? bulkhead(limits.concurrency, limits.queue ?? 0) : undefined;
    this.rpm = limits.rpm && !shared ? new TokenBucket(limits.rpm, MINUTE, now) : undefined;
    this.tpm = limits.tpm && !shared ? new TokenBucket(limits.tpm, MINUTE, now) : undefined;
  }

  get state(): BreakerStateName {
    return STATE_NAMES[this.breaker.state];
  }

  /** Milliseconds until the provider's last Retry-After expires (0 when free to call). */
  waitMs(): number {
    return Math.max(0, this.notBefore - this.now());
  }

  /** Remembers a provider-announced Retry-After for every caller. */
  noteRetryAfter(ms: number): void {
    this.notBefore = Math.max(this.notBefore, this.now() + ms);
  }

  /**
   * Runs `call` through the limits and the breaker (or around the breaker with `bypassBreaker`). Refusals are typed: `CircuitOpenError` (breaker
   * open), `ProviderRateLimitedError` with `retryAfterMs` (local RPM/TPM/bulkhead or a pending
   * Retry-After), so the gateway treats them like the provider's own answers.
   */
  async execute<T>(
    call: (signal: AbortSignal) => Promise<T>,
    signal: AbortSignal,
    tokens: number,
    bypassBreaker = false,
  ): Promise<T> {
    const pending = this.waitMs();
    if (pending > 0) {
      throw new ProviderRateLimitedError({
        message: 'the provider asked to wait (Retry-After)',
        provider: this.provider,
        retryAfterMs: pending,
        details: { local: true },
      });
    }
    await this.take(tokens);
    try {
      const guarded = (): Promise<T> =>
        this.bulkhead ? this.bulkhead.execute(() => call(signal), signal) : call(signal);
      // The gateway's last resort when every breaker of a route is open (see `whenAllBreakersOpen`).
      return bypassBreaker ? await guarded() : await this.breaker.execute(guarded, signal);
    } catch (error) {
      if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) {
        await this.refund(tokens);
        throw new CircuitOpenError({
          message: `the circuit breaker of ${this.provider} is open`,
          provider: this.provider,
          cause: error,
        });
      }
      if (error instanceof BulkheadRejectedError) {
        await this.refund(tokens);
        throw new ProviderRateLimitedError({
          message: `${this.provider} has too many calls in flight`,
          provider: this.provider,
          details: { local: true },
        });
      }
      if (error instanceof TaskCancelledError) throw abortError(signal, this.provider);
      throw error;
    }
  }

  private async take(tokens: number): Promise<void> {
    if (this.shared) return this.takeShared(this.shared, tokens);
    const rpmWait = this.rpm?.tryTake(1) ?? 0;
    if (rpmWait > 0) throw this.limited('requests per minute', rpmWait);
    const tpmWait = this.tpm?.tryTake(tokens) ?? 0;
    if (tpmWait > 0) {
      this.rpm?.refund(1);
      throw this.limited('tokens per minute', tpmWait);
    }
  }

  private async takeShared(shared: RateLimiter, tokens: number): Promise<void> {
    try {
      await this.takeFromStore(shared, tokens);
    } catch (error) {
      // The shared store failed: fail open (the provider still enforces its own limits with 429s),
      // rather than turn a Redis outage into a total outage of every model.
      if (LlmGatewayError.isInstance(error)) throw error;
    }
  }

  private async takeFromStore(shared: RateLimiter, tokens: number): Promise<void> {
    const { rpm, tpm } = this.limits;
    if (rpm) {
      const wait = await shared.take(`provider:${this.provider}:rpm`, 1, {
        capacity: rpm,
        intervalMs: MINUTE,
      });
      if (wait > 0) throw this.limited('requests per minute', wait);
    }
    if (tpm) {
      const wait = await shared.take(`provider:${this.provider}:tpm`, tokens, {
        capacity: tpm,
        intervalMs: MINUTE,
      });
      if (wait > 0) {
        if (rpm)
          await shared.refund(`provider:${this.provider}:rpm`, 1, { capacity: rpm, intervalMs: MINUTE });
        throw this.limited('tokens per minute', wait);
      }
    }
  }

  private async refund(tokens: number): Promise<void> {
    if (!this.shared) {
      this.rpm?.refund(1);
      this.tpm?.refund(tokens);
      return;
    }
    const { rpm, tpm } = this.limits;
    const shared = this.shared;
    await this.refundTo(shared, rpm, tpm, tokens).catch(() => undefined);
  }

  private async refundTo(
    shared: RateLimiter,
    rpm: number | undefined,
    tpm: number | undefined,
    tokens: number,
  ): Promise<void> {
    if (rpm) await shared.refund(`provider:${this.provider}:rpm`, 1, { capacity: rpm, intervalMs: MINUTE });
    if (tpm)
      await shared.refund(`provider:${this.provider}:tpm`, tokens, { capacity: tpm, intervalMs: MINUTE });
  }

  private limited(what: string, retryAfterMs: number): ProviderRateLimitedError {
    return new ProviderRateLimitedError({
      message: `${this.provider} is over its ${what} limit`,
      provider: this.provider,
      retryAfterMs,
      details: { local: true },
    });
  }
}
