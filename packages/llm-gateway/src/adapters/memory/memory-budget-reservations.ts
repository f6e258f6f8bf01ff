import {
  nanoUsdCeil,
  nanoUsdFloor,
  usdFromNano,
  type BudgetReservations,
  type BudgetUsage,
  type ReservationOutcome,
  type ReservationRequest,
  type SettleRequest,
} from '../../ports/budget-reservations';

interface Counter {
  committed: number;
  expiresAt: number;
  /** Hold id → amount (nano-USD) and expiry. */
  readonly holds: Map<string, { amount: number; expiresAt: number }>;
}

/**
 * Budget reservations in process memory: atomic because JavaScript runs one call at a time here,
 * so it is exact within one process and knows nothing of another. For the embedded mode and tests;
 * several replicas need `RedisBudgetReservations`.
 */
export class MemoryBudgetReservations implements BudgetReservations {
  private readonly counters = new Map<string, Counter>();
  private readonly settled = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  reserve(request: ReservationRequest): Promise<ReservationOutcome> {
    const now = this.now();
    const amount = nanoUsdCeil(request.amountUsd);
    const missing: string[] = [];
    const counters: Counter[] = [];
    for (const limit of request.limits) {
      const counter = this.live(request.scope, limit.key, now);
      if (counter) counters.push(counter);
      else missing.push(limit.key);
    }
    if (missing.length > 0) return Promise.resolve({ status: 'unseeded', keys: missing });
    if (counters.some((counter) => counter.holds.has(request.id))) {
      return Promise.resolve({ status: 'reserved' });
    }
    for (const [index, limit] of request.limits.entries()) {
      const counter = counters[index] as Counter;
      const held = this.held(counter, now);
      if (counter.committed + held + amount > nanoUsdFloor(limit.limitUsd)) {
        return Promise.resolve({
          status: 'exceeded',
          key: limit.key,
          limitUsd: limit.limitUsd,
          committedUsd: usdFromNano(counter.committed),
          heldUsd: usdFromNano(held),
        });
      }
    }
    for (const counter of counters)
      counter.holds.set(request.id, { amount, expiresAt: now + request.holdMs });
    return Promise.resolve({ status: 'reserved' });
  }

  settle(request: SettleRequest): Promise<boolean> {
    const now = this.now();
    const settledKey = `${request.scope}\u0000${request.id}`;
    this.dropExpiredSettles(now);
    if (this.settled.has(settledKey)) return Promise.resolve(false);
    this.settled.set(settledKey, now + 86_400_000);
    const actual = nanoUsdCeil(request.actualUsd);
    for (const key of request.keys) {
      const counter = this.live(request.scope, key, now);
      if (!counter) continue;
      counter.holds.delete(request.id);
      counter.committed += actual;
    }
    return Promise.resolve(true);
  }

  seed(scope: string, key: string, committedUsd: number, expiresAt: number): Promise<void> {
    const now = this.now();
    if (!this.live(scope, key, now)) {
      this.counters.set(`${scope}\u0000${key}`, {
        committed: nanoUsdCeil(committedUsd),
        expiresAt,
        holds: new Map(),
      });
    }
    return Promise.resolve();
  }

  usage(scope: string, key: string): Promise<BudgetUsage | undefined> {
    const now = this.now();
    const counter = this.live(scope, key, now);
    return Promise.resolve(
      counter
        ? { committedUsd: usdFromNano(counter.committed), heldUsd: usdFromNano(this.held(counter, now)) }
        : undefined,
    );
  }

  private live(scope: string, key: string, now: number): Counter | undefined {
    const id = `${scope}\u0000${key}`;
    const counter = this.counters.get(id);
    if (counter && counter.expiresAt <= now) {
      this.counters.delete(id);
      return undefined;
    }
    return counter;
  }

  private held(counter: Counter, now: number): number {
    let total = 0;
    for (const [id, hold] of counter.holds) {
      if (hold.expiresAt <= now) counter.holds.delete(id);
      else total += hold.amount;
    }
    return total;
  }

  private dropExpiredSettles(now: number): void {
    if (this.settled.size < 10_000) return;
    for (const [key, expiresAt] of this.settled) if (expiresAt <= now) this.settled.delete(key);
  }
}
