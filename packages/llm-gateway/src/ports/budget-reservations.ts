/**
 * The `BudgetReservations` port: the admission gate of spend budgets. Before a model call the
 * gateway reserves the call's worst-case cost against every budget that applies; after it, it
 * settles the actual cost (which becomes committed spend) and the rest of the hold is released.
 * The `UsageLedger` stays the record of what was spent; these counters only decide admission and
 * are seeded from the ledger when missing (see `seed`).
 */

/** One budget a reservation counts against, e.g. `day:2026-12-02` with a 5 USD limit. */
export interface BudgetLimit {
  /** Unique within the scope: `day:<date>`, `month:<yyyy-mm>`, `run:<id>`, `key:<id>:month:<yyyy-mm>`. */
  readonly key: string;
  readonly limitUsd: number;
  /** Epoch ms after which the budget's period is over and its counter may be dropped. */
  readonly expiresAt: number;
}

export interface ReservationRequest {
  /** What every budget of the reservation belongs to (the tenant): one atomic unit, one Redis slot. */
  readonly scope: string;
  /** The request id: reserving again under the same id does not hold twice. */
  readonly id: string;
  /** Worst-case cost of the call. */
  readonly amountUsd: number;
  readonly limits: readonly BudgetLimit[];
  /** How long the hold lives if it is never settled (its process died). */
  readonly holdMs: number;
}

export type ReservationOutcome =
  /** Held against every limit (also when this id already held). */
  | { readonly status: 'reserved' }
  /** Nothing held: this limit would be passed (committed + held by others + amount > limit). */
  | {
      readonly status: 'exceeded';
      readonly key: string;
      readonly limitUsd: number;
      readonly committedUsd: number;
      readonly heldUsd: number;
    }
  /** Nothing held: these limits have no committed counter yet; `seed` them from the ledger and retry. */
  | { readonly status: 'unseeded'; readonly keys: readonly string[] };

export interface SettleRequest {
  readonly scope: string;
  readonly id: string;
  /** The keys the reservation was made against (so a settle after the hold expired still commits). */
  readonly keys: readonly string[];
  /** What the call actually cost; 0 releases the hold. */
  readonly actualUsd: number;
}

export interface BudgetUsage {
  readonly committedUsd: number;
  readonly heldUsd: number;
}

/**
 * Guarantees (checked by `budgetReservationsContract`):
 * - `reserve` is atomic over all its limits and across every process sharing the store: it holds
 *   the amount on all of them or on none, and never lets committed + held pass a limit.
 * - Idempotent by `(scope, id)`: a second `reserve` under a held id holds nothing more; a second
 *   `settle` commits nothing more (it returns false).
 * - A hold that is not settled within `holdMs` stops counting (no phantom spend from a dead process).
 * - `settle` commits `actualUsd` to every key that has a counter, even when the hold has expired.
 * - `seed` sets a missing counter (committed spend so far, from the ledger) and never overwrites one.
 * - Amounts are kept as integer nano-USD: sums are exact; a reservation is rounded up, a limit down.
 */
export interface BudgetReservations {
  reserve(request: ReservationRequest): Promise<ReservationOutcome>;
  settle(request: SettleRequest): Promise<boolean>;
  seed(scope: string, key: string, committedUsd: number, expiresAt: number): Promise<void>;
  usage(scope: string, key: string): Promise<BudgetUsage | undefined>;
}

const NANO = 1_000_000_000;

/** USD to integer nano-USD, rounded up (holds and costs never under-count). */
export function nanoUsdCeil(usd: number): number {
  return Math.ceil(Math.round(usd * NANO * 1_000) / 1_000);
}

/** USD to integer nano-USD, rounded down (a limit never grows by rounding). */
export function nanoUsdFloor(usd: number): number {
  return Math.floor(Math.round(usd * NANO * 1_000) / 1_000);
}

export function usdFromNano(nano: number): number {
  return nano / NANO;
}
