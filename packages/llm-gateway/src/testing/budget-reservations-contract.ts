import type { BudgetLimit, BudgetReservations } from '../ports/budget-reservations';
import type { ContractTestApi } from './llm-provider-contract';

export interface BudgetReservationsFixture {
  /** A store reading the given clock (epoch ms) for hold expiry. */
  create(now: () => number): BudgetReservations | Promise<BudgetReservations>;
  /** A second store on the same backing state (another replica), when the adapter has shared state. */
  createPeer?(now: () => number): BudgetReservations | Promise<BudgetReservations>;
  close?(): Promise<void>;
}

let sequence = 0;
const scope = (): string => `tenant-${Date.now().toString(36)}-${++sequence}`;

/** The one contract every `BudgetReservations` adapter must pass. */
export function budgetReservationsContract(
  test: ContractTestApi,
  name: string,
  fixture: BudgetReservationsFixture,
): void {
  const { describe, it, afterAll } = test;
  describe(`BudgetReservations contract: ${name}`, () => {
    let clock = Date.UTC(2026, 11, 2, 12);
    const now = (): number => clock;
    const farFuture = Date.UTC(2027, 0, 1);
    const limit = (key: string, limitUsd: number): BudgetLimit => ({ key, limitUsd, expiresAt: farFuture });
    const check = (condition: boolean, message: string): void => {
      if (!condition) throw new Error(message);
    };
    const equal = (actual: unknown, expected: unknown, what: string): void =>
      check(
        JSON.stringify(actual) === JSON.stringify(expected),
        `${what}: ${JSON.stringify(actual)} !== ${JSON.stringify(expected)}`,
      );

    afterAll(async () => {
      await fixture.close?.();
    });

    it('reports counters that were never seeded, and seeding never overwrites one', async () => {
      const store = await fixture.create(now);
      const tenant = scope();
      const request = {
        scope: tenant,
        id: 'r1',
        amountUsd: 1,
        limits: [limit('day', 5), limit('month', 50)],
        holdMs: 60_000,
      };
      equal(await store.reserve(request), { status: 'unseeded', keys: ['day', 'month'] }, 'unseeded');
      await store.seed(tenant, 'day', 2, farFuture);
      await store.seed(tenant, 'day', 4, farFuture);
      equal(await store.reserve(request), { status: 'unseeded', keys: ['month'] }, 'only month unseeded');
      await store.seed(tenant, 'month', 0, farFuture);
      equal(await store.reserve(request), { status: 'reserved' }, 'reserved');
      equal(await store.usage(tenant, 'day'), { committedUsd: 2, heldUsd: 1 }, 'day usage');
    });

    it('holds on every limit or on none, and never lets committed + held pass a limit', async () => {
      const store = await fixture.create(now);
      const tenant = scope();
      await store.seed(tenant, 'day', 0, farFuture);
      await store.seed(tenant, 'month', 9.5, farFuture);
      const limits = [limit('day', 5), limit('month', 10)];
      equal(
        await store.reserve({ scope: tenant, id: 'a', amountUsd: 0.5, limits, holdMs: 60_000 }),
        { status: 'reserved' },
        'a',
      );
      const refused = await store.reserve({
        scope: tenant,
        id: 'b',
        amountUsd: 0.000000001,
        limits,
        holdMs: 60_000,
      });
      check(
        refused.status === 'exceeded' && refused.key === 'month',
        `b refused on month: ${JSON.stringify(refused)}`,
      );
      if (refused.status === 'exceeded') {
        equal([refused.limitUsd, refused.committedUsd, refused.heldUsd], [10, 9.5, 0.5], 'refusal figures');
      }
      equal(await store.usage(tenant, 'day'), { committedUsd: 0, heldUsd: 0.5 }, 'day holds only a');
    });

    it('is idempotent by request id: a second reserve holds nothing more, a second settle commits nothing more', async () => {
      const store = await fixture.create(now);
      const tenant = scope();
      await store.seed(tenant, 'day', 0, farFuture);
      const request = { scope: tenant, id: 'r', amountUsd: 0.3, limits: [limit('day', 1)], holdMs: 60_000 };
      await store.reserve(request);
      equal(await store.reserve(request), { status: 'reserved' }, 'again');
      equal(await store.usage(tenant, 'day'), { committedUsd: 0, heldUsd: 0.3 }, 'held once');
      equal(await store.settle({ scope: tenant, id: 'r', keys: ['day'], actualUsd: 0.12 }), true, 'settled');
      equal(
        await store.settle({ scope: tenant, id: 'r', keys: ['day'], actualUsd: 0.12 }),
        false,
        'settled again',
      );
      equal(
        await store.usage(tenant, 'day'),
        { committedUsd: 0.12, heldUsd: 0 },
        'committed once, rest released',
      );
    });

    it('settles exactly in nano-USD: a thousand tiny costs sum to the cent', async () => {
      const store = await fixture.create(now);
      const tenant = scope();
      await store.seed(tenant, 'day', 0, farFuture);
      for (let index = 0; index < 1000; index++) {
        await store.reserve({
          scope: tenant,
          id: `t${index}`,
          amountUsd: 0.001,
          limits: [limit('day', 1)],
          holdMs: 60_000,
        });
        await store.settle({ scope: tenant, id: `t${index}`, keys: ['day'], actualUsd: 0.000123 });
      }
      equal(await store.usage(tenant, 'day'), { committedUsd: 0.123, heldUsd: 0 }, 'sum');
    });

    it('lets a hold that was never settled expire, and still commits a late settle', async () => {
      const store = await fixture.create(now);
      const tenant = scope();
      await store.seed(tenant, 'day', 0, farFuture);
      await store.reserve({
        scope: tenant,
        id: 'dead',
        amountUsd: 1,
        limits: [limit('day', 1)],
        holdMs: 30_000,
      });
      const blocked = await store.reserve({
        scope: tenant,
        id: 'next',
        amountUsd: 1,
        limits: [limit('day', 1)],
        holdMs: 30_000,
      });
      equal(blocked.status, 'exceeded', 'blocked while held');
      clock += 30_001;
      equal(
        await store.reserve({
          scope: tenant,
          id: 'next',
          amountUsd: 0.5,
          limits: [limit('day', 1)],
          holdMs: 30_000,
        }),
        { status: 'reserved' },
        'admitted after expiry',
      );
      equal(
        await store.settle({ scope: tenant, id: 'dead', keys: ['day'], actualUsd: 0.25 }),
        true,
        'late settle',
      );
      equal(await store.usage(tenant, 'day'), { committedUsd: 0.25, heldUsd: 0.5 }, 'late settle counted');
    });

    it('drops a counter once its period is over (it is seeded again from the ledger)', async () => {
      const store = await fixture.create(now);
      const tenant = scope();
      await store.seed(tenant, 'day', 3, clock + 1_000);
      clock += 1_001;
      equal(
        await store.reserve({
          scope: tenant,
          id: 'x',
          amountUsd: 1,
          limits: [limit('day', 5)],
          holdMs: 1_000,
        }),
        { status: 'unseeded', keys: ['day'] },
        'expired counter',
      );
    });

    it('admits exactly N of 200 concurrent reservations against a budget covering N of them', async () => {
      const stores = [await fixture.create(now)];
      if (fixture.createPeer) stores.push(await fixture.createPeer(now));
      for (const covered of [1, 10, 100]) {
        const tenant = scope();
        await (stores[0] as BudgetReservations).seed(tenant, 'day', 0, farFuture);
        const cost = 0.0137;
        const outcomes = await Promise.all(
          Array.from({ length: 200 }, (_, index) =>
            (stores[index % stores.length] as BudgetReservations).reserve({
              scope: tenant,
              id: `c${index}`,
              amountUsd: cost,
              limits: [limit('day', cost * covered)],
              holdMs: 60_000,
            }),
          ),
        );
        const admitted = outcomes.filter((outcome) => outcome.status === 'reserved').length;
        equal(admitted, covered, `admitted of ${covered}`);
      }
    });
  });
}
