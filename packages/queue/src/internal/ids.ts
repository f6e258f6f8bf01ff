import { createHash } from 'node:crypto';
import { PRIORITY_MAX } from './options';

/**
 * The job id of an idempotent job: a digest of tenant and key, so the backend's own uniqueness of
 * ids deduplicates (a second enqueue finds the first job) and `getJob` needs no second index.
 */
export function idempotentJobId(tenantId: string | undefined, idempotencyKey: string): string {
  const digest = createHash('sha256')
    .update(tenantId ?? '')
    .update('\u0000')
    .update(idempotencyKey)
    .digest('hex');
  return `idem-${digest.slice(0, 40)}`;
}

/** Ranks within one priority band: 2^16, so 32 bands fit BullMQ's priority range (1 … 2^21 − 1). */
export const RANKS_PER_BAND = 65_536;
/** Ranks beyond this share the last slot of their band (FIFO among them). */
const MAX_RANK = RANKS_PER_BAND - 2;

/**
 * The single number both adapters order ready jobs by (lower first, FIFO among equals): the
 * caller's priority band first, then the job's rank inside its tenant (how many of that tenant's
 * jobs were already waiting when it was enqueued). Tenants therefore interleave round-robin within
 * a band: every tenant's first waiting job goes before anyone's second. Always in 1 … 2^21 − 1.
 */
export function orderingPriority(priority: number, tenantRank: number): number {
  const band = Math.min(Math.max(priority, 1), PRIORITY_MAX) - 1;
  return band * RANKS_PER_BAND + Math.min(Math.max(tenantRank, 0), MAX_RANK) + 1;
}

/** The caller's priority back from an ordering priority. */
export function priorityOf(orderingValue: number): number {
  return Math.floor((Math.max(orderingValue, 1) - 1) / RANKS_PER_BAND) + 1;
}
