import type { DataSource, EntityManager } from 'typeorm';
import { AgentRun } from './entities';

/** Fields of an agent run that a compare-and-set update may change. */
export type AgentRunChanges = Partial<
  Pick<
    AgentRun,
    'state' | 'output' | 'error' | 'model' | 'promptVersion' | 'toolVersions' | 'usage' | 'stepCount'
  >
>;

/**
 * Compare-and-set on an agent run: applies `changes` and increments `version` only if the row
 * still has `expectedVersion` (and belongs to `tenantId`). Returns the new version, or `undefined`
 * when another writer got there first (reload and decide again). Atomic on both engines: one
 * `UPDATE … WHERE id = ? AND tenant_id = ? AND version = ?`.
 */
export async function updateAgentRunIfVersion(
  database: DataSource | EntityManager,
  tenantId: string,
  runId: string,
  expectedVersion: number,
  changes: AgentRunChanges,
): Promise<number | undefined> {
  const result = await database
    .createQueryBuilder()
    .update(AgentRun)
    .set({ ...changes, version: expectedVersion + 1 } as never)
    .where('id = :runId AND tenant_id = :tenantId AND version = :expectedVersion', {
      runId,
      tenantId,
      expectedVersion,
    })
    .execute();
  return result.affected === 1 ? expectedVersion + 1 : undefined;
}
