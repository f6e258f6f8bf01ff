import type { Attributes, Meter, Tracer } from '@opentelemetry/api';
import type { PriceTable } from '../pricing/price-table';
import type { BudgetReservations } from '../ports/budget-reservations';
import type { RateLimiter } from '../ports/rate-limiter';
import type { TenantLimits } from './tenant-token-limit';
import type { ModelTier } from '../ports/llm-gateway';
import type { ChatRequest, LlmProvider } from '../ports/llm-provider';
import type { ResponseCacheHook } from '../ports/response-cache-hook';
import type { UsageLedger } from '../ports/usage-ledger';
import type { TokenCounter } from '../tokens/token-counter';
import type { BreakerOptions, ProviderGuard, ProviderLimits } from './provider-guard';
import type { TierRules } from './tier-router';

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
  /** The budget of a tenant, or undefined for none. Needs `ledger` (the record the counters are seeded from). */
  readonly budgets?: (tenantId: string) => TenantBudget | undefined | Promise<TenantBudget | undefined>;
  /**
   * Where worst-case costs are reserved against budgets. Default: `MemoryBudgetReservations`
   * (exact within this process). Several replicas need a shared one (`RedisBudgetReservations`).
   */
  readonly reservations?: BudgetReservations;
  /** Counted prompt tokens × this is what a reservation prices (tokenizers differ by vendor). Default 1.1. */
  readonly reservationPromptMargin?: number;
  /** How long an unsettled hold outlives the call's deadline before it expires. Default 60 s. */
  readonly reservationGraceMs?: number;
  /**
   * Token buckets for the providers' `limits.rpm` / `limits.tpm` and the tenants' tokens per
   * minute. Default: in this process. Several replicas need a shared one (`RedisRateLimiter`), or
   * each sends the provider its whole limit.
   */
  readonly rateLimiter?: RateLimiter;
  /** A tenant's LLM limits (tokens per minute), or undefined for none. */
  readonly tenantLimits?: (tenantId: string) => TenantLimits | undefined | Promise<TenantLimits | undefined>;
  readonly cache?: ResponseCacheHook;
  readonly tokenCounter?: TokenCounter;
  /** Called when the ledger or the cache fails; the call itself still answers. */
  readonly onBackgroundError?: (error: unknown, where: 'ledger' | 'cache' | 'budget') => void;
  readonly tracer?: Tracer;
  readonly meter?: Meter;
  /** Clock, sleep and jitter source, injectable for deterministic tests. */
  readonly now?: () => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly random?: () => number;
}

/** Where a call goes: its tier, its ordered chain of models, and the cheap prompt-size bounds. */
export interface Plan {
  readonly tier: ModelTier | null;
  readonly target: string;
  readonly chain: readonly ModelDefinition[];
  readonly downgraded: boolean;
  readonly estimateTokens: number;
  readonly upperBoundTokens: number;
  /**
   * Send the output reserve as `maxTokens` when the request has none: set once a budget reserved
   * the call's worst case, so the provider cannot generate past what was reserved.
   */
  readonly capOutput?: boolean;
}

/** The request as one model of the chain receives it. */
export interface Prepared {
  readonly model: ModelDefinition;
  readonly guard: ProviderGuard;
  readonly provider: LlmProvider;
  readonly request: ChatRequest;
  readonly tokens: number;
  readonly trimmed: { readonly messages: number; readonly passages: number };
  readonly spanAttributes: Attributes;
  readonly attemptTimeoutMs: number;
}

export const NO_TRIM = Object.freeze({ messages: 0, passages: 0 });
