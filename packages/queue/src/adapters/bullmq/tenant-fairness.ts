import type { Cluster, Redis } from 'ioredis';
import { QueueUnavailableError } from '../../errors';
import { closeRedisClient } from './redis-connection';

// Per tenant, two fields of the queue's hash: `<tenant>` counts jobs waiting for their first
// attempt, `<tenant>|next` is the rank the next job gets. The rank only grows while the tenant has
// jobs waiting (so the tenant stays FIFO: a late job never overtakes an earlier one), and restarts
// at 0 once none wait (so a tenant back from idle goes before a busy tenant's backlog).
const JOIN = `
redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
return redis.call('HINCRBY', KEYS[1], ARGV[1] .. '|next', 1) - 1`;

const LEAVE = `
local waiting = redis.call('HINCRBY', KEYS[1], ARGV[1], -1)
if waiting <= 0 then redis.call('HDEL', KEYS[1], ARGV[1], ARGV[1] .. '|next') end
return waiting`;

type FairnessCommands = {
  aiScaleTenantJoin(key: string, tenant: string): Promise<number>;
  aiScaleTenantLeave(key: string, tenant: string): Promise<number>;
};

/**
 * Per-tenant ranks, one Redis hash per queue, updated atomically by Lua: `join` returns the rank a
 * new job gets inside its tenant (0 for the tenant's first waiting job, then 1, 2, … while the
 * tenant has jobs waiting), and `leave` runs when a job of the tenant starts its first attempt. The rank becomes part of the
 * BullMQ priority, so tenants interleave round-robin (see README, "Tenant fairness").
 */
export class TenantFairness {
  constructor(
    private readonly client: Redis | Cluster,
    private readonly key: string,
  ) {
    client.defineCommand('aiScaleTenantJoin', { numberOfKeys: 1, lua: JOIN });
    client.defineCommand('aiScaleTenantLeave', { numberOfKeys: 1, lua: LEAVE });
  }

  async join(tenantId: string): Promise<number> {
    try {
      return await this.commands().aiScaleTenantJoin(this.key, tenantId);
    } catch (error) {
      throw this.unavailable(error);
    }
  }

  /** Ranks for a batch, in order, in one round trip; 0 for jobs without a tenant. */
  async joinMany(tenantIds: ReadonlyArray<string | undefined>): Promise<number[]> {
    if (tenantIds.every((tenantId) => tenantId === undefined)) return tenantIds.map(() => 0);
    const pipeline = this.client.pipeline() as unknown as ReturnType<Redis['pipeline']> & FairnessCommands;
    for (const tenantId of tenantIds)
      if (tenantId !== undefined) void pipeline.aiScaleTenantJoin(this.key, tenantId);
    let results: [Error | null, unknown][];
    try {
      results = (await pipeline.exec()) ?? [];
    } catch (error) {
      throw this.unavailable(error);
    }
    let next = 0;
    return tenantIds.map((tenantId) => {
      if (tenantId === undefined) return 0;
      const [error, value] = results[next++] ?? [new Error('missing reply'), 0];
      if (error) throw this.unavailable(error);
      return Number(value);
    });
  }

  /** Fire and forget: fairness is best effort and must never fail or slow down a job. */
  leave(tenantId: string): void {
    this.commands()
      .aiScaleTenantLeave(this.key, tenantId)
      .catch(() => undefined);
  }

  private commands(): FairnessCommands {
    return this.client as unknown as FairnessCommands;
  }

  close(): Promise<void> {
    return closeRedisClient(this.client);
  }

  private unavailable(error: unknown): QueueUnavailableError {
    const message = error instanceof Error ? error.message : String(error);
    return new QueueUnavailableError(`tenant fairness counters: ${message}`, { cause: error });
  }
}
