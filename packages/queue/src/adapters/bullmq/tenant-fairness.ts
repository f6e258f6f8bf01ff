import type { Redis } from 'ioredis';
import { QueueUnavailableError } from '../../errors';

const LEAVE = `
local waiting = redis.call('HINCRBY', KEYS[1], ARGV[1], -1)
if waiting <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
return waiting`;

/**
 * The per-tenant count of waiting jobs, one Redis hash per queue, updated atomically: `join`
 * returns the rank a new job gets inside its tenant (0 for the tenant's first waiting job), and
 * `leave` runs when a job of the tenant starts its first attempt. The rank becomes part of the
 * BullMQ priority, so tenants interleave round-robin (see README, "Tenant fairness").
 */
export class TenantFairness {
  constructor(
    private readonly client: Redis,
    private readonly key: string,
  ) {
    client.defineCommand('aiScaleTenantLeave', { numberOfKeys: 1, lua: LEAVE });
  }

  async join(tenantId: string): Promise<number> {
    try {
      return (await this.client.hincrby(this.key, tenantId, 1)) - 1;
    } catch (error) {
      throw this.unavailable(error);
    }
  }

  /** Ranks for a batch, in order, in one round trip; 0 for jobs without a tenant. */
  async joinMany(tenantIds: ReadonlyArray<string | undefined>): Promise<number[]> {
    if (tenantIds.every((tenantId) => tenantId === undefined)) return tenantIds.map(() => 0);
    const pipeline = this.client.pipeline();
    for (const tenantId of tenantIds) if (tenantId !== undefined) pipeline.hincrby(this.key, tenantId, 1);
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
      return Number(value) - 1;
    });
  }

  /** Fire and forget: fairness is best effort and must never fail or slow down a job. */
  leave(tenantId: string): void {
    (this.client as unknown as { aiScaleTenantLeave(key: string, tenant: string): Promise<number> })
      .aiScaleTenantLeave(this.key, tenantId)
      .catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.client.status === 'ready') {
      try {
        await this.client.quit();
        return;
      } catch {
        // fall through: drop the connection
      }
    }
    this.client.disconnect();
  }

  private unavailable(error: unknown): QueueUnavailableError {
    const message = error instanceof Error ? error.message : String(error);
    return new QueueUnavailableError(`tenant fairness counters: ${message}`, { cause: error });
  }
}
