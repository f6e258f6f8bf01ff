import type {
  ChatDelta,
  ChatParameters,
  ChatResult,
  Citation,
  FinishReason,
  TokenUsage,
} from './llm-provider';
import type { CacheKind } from './usage-ledger';

export type ModelTier = 'small' | 'large';

/** A budget the caller adds to a call besides the tenant's day and month (an agent run, an API key). */
export interface RequestBudget {
  /** Unique within the tenant, e.g. `run:<id>` or `key:<id>:month:2026-12`. */
  readonly key: string;
  readonly limitUsd: number;
  /** Spent so far, used to seed the counter when the reservation store has none. Default 0. */
  readonly spentUsd?: number;
  /** When the budget ends (epoch ms). Default 31 days from now. */
  readonly expiresAt?: number;
}

export interface GatewayChatRequest extends ChatParameters {
  readonly tenantId: string;
  /** Idempotency and correlation id; recorded in the ledger with the usage. */
  readonly requestId: string;
  /** An explicit model id from the gateway's catalogue; wins over `tier`. */
  readonly model?: string;
  /** A task tier; when neither `model` nor `tier` is given the router's rules classify the request. */
  readonly tier?: ModelTier;
  /**
   * Most this call may cost, in USD, estimated before the call from the prompt estimate and the
   * output reserve (`maxTokens`) at list prices: route models that could cost more are skipped;
   * none left → `BudgetExceededError` with `period: 'request'`.
   */
  readonly maxCostUsd?: number;
  /**
   * Budgets this call counts against besides the tenant's (see `RequestBudget`): its worst-case
   * cost is reserved against each of them before any provider call.
   */
  readonly budgets?: readonly RequestBudget[];
  /** Overall deadline for the whole call (all attempts and back-offs), in ms from now. */
  readonly deadlineMs?: number;
  /** Per-attempt timeout override, in ms. */
  readonly attemptTimeoutMs?: number;
  /** Version of the prompt template that built `messages`; part of the response-cache key. */
  readonly promptVersion?: string;
  /** Skip the response cache for this call (neither read nor written). */
  readonly noCache?: boolean;
  /** Aborts the whole call. */
  readonly signal?: AbortSignal;
}

export interface AttemptRecord {
  readonly provider: string;
  readonly model: string;
  /** `ok` or the failing error's code. */
  readonly outcome: string;
  readonly durationMs: number;
}

export interface GatewayChatResult extends ChatResult {
  readonly requestId: string;
  readonly tier: ModelTier | null;
  readonly costUsd: number;
  /** Set when the response cache answered (then `attempts` is empty and `costUsd` 0). */
  readonly cache: CacheKind | null;
  readonly savedCostUsd: number;
  readonly attempts: readonly AttemptRecord[];
  /** How many times the gateway moved on to another model/provider. */
  readonly fallbacks: number;
  /** True when a budget rule moved the call to a cheaper tier. */
  readonly downgraded: boolean;
  /** Turns and passages dropped to fit the context window. */
  readonly trimmed: { readonly messages: number; readonly passages: number };
  /** 1 when a structured answer (`responseFormat` json / json_schema) was invalid and repaired once. */
  readonly repairs?: number;
}

export type GatewayStreamEvent =
  | Exclude<ChatDelta, { readonly type: 'done' }>
  | {
      readonly type: 'done';
      readonly usage: TokenUsage;
      readonly finishReason: FinishReason;
      readonly model: string;
      readonly provider: string;
      readonly costUsd: number;
      readonly cache: CacheKind | null;
      readonly attempts: readonly AttemptRecord[];
      readonly fallbacks: number;
      readonly citations?: readonly Citation[];
    };

/**
 * The one call site for every model call in the product (the server and the agent runtime use it).
 *
 * Guarantees:
 * - The request is validated (`InvalidLlmRequestError`), its worst-case cost reserved against every
 *   budget that applies (`BudgetExceededError` or a downgrade; atomic across replicas with a shared
 *   reservation store), counted and trimmed to the model's context window (`ContextWindowExceededError`,
 *   never a silent overflow) before any provider is called.
 * - Retryable failures are retried with back-off honouring Retry-After, then fall back through the
 *   route's ordered models; an open breaker skips its provider (all open: one attempt around the
 *   breaker, or `CircuitOpenError` with `whenAllBreakersOpen: 'fail'`).
 *   When every route failed: `AllProvidersFailedError` with each attempt's cause.
 * - Every call that reached a provider is recorded in the `UsageLedger` with its tokens and cost,
 *   and its reservation settled — also a stream the caller abandoned or the provider broke (billed
 *   from the provider's usage, else from the counted tokens of what was generated; `usageSource`).
 *   Cache hits are recorded with the tokens and cost they saved; `costUsd` comes from the price table.
 * - `stream` falls back only before its first delta; after that a failure ends the stream with the error.
 */
export interface LlmGateway {
  chat(request: GatewayChatRequest): Promise<GatewayChatResult>;
  stream(request: GatewayChatRequest): AsyncIterable<GatewayStreamEvent>;
}
