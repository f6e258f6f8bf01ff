import { deleteRedisKeys, describeWithRedis, redisUrl, uniqueName } from '@ai-scale/testkit';
import { Redis } from 'ioredis';
import { RoutingLlmGateway } from '../../gateway/routing-llm-gateway';
import { budgetReservationsContract } from '../../testing/budget-reservations-contract';
import { FakeLlmProvider } from '../fake/fake-llm-provider';
import { MemoryUsageLedger } from '../memory/memory-usage-ledger';
import { RedisBudgetReservations } from './redis-budget-reservations';

describeWithRedis('RedisBudgetReservations', () => {
  const prefix = uniqueName('budget');
  // Two connections: two replicas racing on the same budgets.
  const clients = [new Redis(redisUrl()), new Redis(redisUrl())];
  afterAll(async () => {
    await deleteRedisKeys(`${prefix}:*`);
    await Promise.all(clients.map((client) => client.quit()));
  });

  budgetReservationsContract({ describe, it, beforeAll, afterAll }, 'redis', {
    create: (now) => new RedisBudgetReservations({ client: clients[0] as Redis, prefix, now }),
    createPeer: (now) => new RedisBudgetReservations({ client: clients[1] as Redis, prefix, now }),
  });

  it('keeps every key of a tenant in one hash slot (Redis Cluster)', async () => {
    const store = new RedisBudgetReservations({ client: clients[0] as Redis, prefix });
    await store.seed('tenant-slot', 'day:2026-12-02', 0, Date.now() + 60_000);
    await store.reserve({
      scope: 'tenant-slot',
      id: 'r',
      amountUsd: 0.1,
      limits: [{ key: 'day:2026-12-02', limitUsd: 1, expiresAt: Date.now() + 60_000 }],
      holdMs: 60_000,
    });
    const keys = await (clients[0] as Redis).keys(`${prefix}:budget:{tenant-slot}:*`);
    expect(keys.length).toBe(4);
    const slots = await Promise.all(
      keys.map((key) => (clients[0] as Redis).call('CLUSTER', 'KEYSLOT', key).catch(() => null)),
    );
    // CLUSTER KEYSLOT answers on a non-cluster server too; every key hashes to the tenant's slot.
    expect(new Set(slots).size).toBe(1);
  });
});

describe('RedisBudgetReservations when Redis does not answer', () => {
  it('refuses the call before any provider is paid (budgets fail closed) with a retryable typed error', async () => {
    const dead = new Redis({
      port: 1,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    dead.on('error', () => undefined);
    const provider = new FakeLlmProvider({ name: 'p' });
    const gateway = new RoutingLlmGateway({
      providers: [{ provider }],
      models: [{ id: 'fake-small', provider: 'p', tier: 'small', contextWindow: 8_000 }],
      routes: { small: ['fake-small'], large: [] },
      ledger: new MemoryUsageLedger(),
      budgets: () => ({ dailyUsd: 1 }),
      reservations: new RedisBudgetReservations({ client: dead, prefix: 'unused' }),
    });
    await expect(
      gateway.chat({ tenantId: 't', requestId: 'r', messages: [{ role: 'user', content: 'hi' }] }),
    ).rejects.toMatchObject({ code: 'BUDGET_STORE_UNAVAILABLE', isRetryable: true });
    expect(provider.calls).toBe(0);
    dead.disconnect();
  });
});
