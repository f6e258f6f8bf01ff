import { TenantRateLimitedError } from '../errors/tenant-rate-limited.error';
import type { GatewayChatRequest } from '../ports/llm-gateway';
import type { RateLimiter } from '../ports/rate-limiter';
import type { Plan } from './gateway-options';
import { outputReserve } from './route-planner';

const MINUTE = 60_000;

/** The LLM limits of a tenant. */
export interface TenantLimits {
  /** Tokens per minute across the tenant's calls, counting the prompt plus the output reserve. */
  readonly tokensPerMinute?: number;
}

/**
 * A tenant's tokens per minute, taken from a token bucket before the call (prompt counted plus the
 * largest output reserve of the route) in the rate-limit store (Redis: one limit across replicas).
 * Over it → `TenantRateLimitedError` (429 with Retry-After); a store failure lets the call through.
 */
export class TenantTokenLimit {
  constructor(
    private readonly limits:
      ((tenantId: string) => TenantLimits | undefined | Promise<TenantLimits | undefined>) | undefined,
    private readonly store: RateLimiter,
  ) {}

  /** Takes the call's tokens; returns what to refund if the call is refused later (before any provider). */
  async take(
    request: GatewayChatRequest,
    plan: Plan,
    promptTokens: () => number,
  ): Promise<() => Promise<void>> {
    const limit = (await this.limits?.(request.tenantId))?.tokensPerMinute;
    if (limit === undefined) return NOTHING;
    let reserve = 0;
    for (const model of plan.chain) reserve = Math.max(reserve, outputReserve(request, model));
    const tokens = promptTokens() + reserve;
    const key = `tenant:${request.tenantId}:tpm`;
    const bucket = { capacity: limit, intervalMs: MINUTE };
    let wait: number;
    try {
      wait = await this.store.take(key, tokens, bucket);
    } catch {
      return NOTHING;
    }
    if (wait > 0) {
      throw new TenantRateLimitedError({
        message: `tenant ${request.tenantId} is over its ${limit} LLM tokens per minute (this call needs up to ${tokens}); retry in ${Math.ceil(wait / 1000)} s`,
        tenantId: request.tenantId,
        retryAfterMs: wait,
        limit,
      });
    }
    return () => this.store.refund(key, tokens, bucket).catch(() => undefined);
  }
}

const NOTHING = (): Promise<void> => Promise.resolve();
