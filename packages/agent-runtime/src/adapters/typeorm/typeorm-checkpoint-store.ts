import { AgentRun, AgentStep, ToolCallRecord as ToolCallRow } from '@ai-scale/persistence';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import {
  CheckpointConflictError,
  InvalidRunInputError,
  RunCancelledError,
  RunNotFoundError,
} from '../../errors';
import type {
  CheckpointStore,
  RunRecord,
  StepCheckpoint,
  ToolCallRecord,
} from '../../ports/checkpoint-store';
import type { JsonValue } from '../../ports/json';

export interface TypeormCheckpointStoreOptions {
  /** An initialised, migrated `DataSource` of `@ai-scale/persistence` (`openDatabase`); the store does not close it. */
  readonly dataSource: DataSource;
}

/** `agent_steps.ordinal` of the row that holds the runtime's fields without a column of their own. */
const ENVELOPE_ORDINAL = 0;
const ENVELOPE_KIND = 'run';
const CHECKPOINT_KIND = 'checkpoint';

/** What `agent_runs` has no column for, kept in the run's `agent_steps` row at ordinal 0. */
interface RunEnvelope {
  readonly [key: string]: JsonValue;
  readonly kind: RunRecord['kind'];
  readonly stopReason: RunRecord['stopReason'];
  readonly awaiting: JsonValue;
  readonly resumeInput: JsonValue;
  readonly versions: JsonValue;
  readonly toolCalls: number;
  readonly modelCalls: number;
  readonly deadlineAt: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly finishedAt: string | null;
}

interface ToolCallEnvelope {
  readonly [key: string]: JsonValue;
  readonly step: number;
  readonly callIndex: number;
  readonly toolName: string;
  readonly toolVersion: string;
  readonly arguments: JsonValue;
  readonly outcome: ToolCallRecord['outcome'];
  readonly result: JsonValue;
  readonly durationMs: number;
  readonly createdAt: string;
}

function isUniqueViolation(error: unknown): boolean {
  const driverError = (error as { driverError?: unknown } | null)?.driverError ?? error;
  const code = (driverError as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * TypeORM's insert types recurse into JSON columns and give up on a recursive JSON type: the
 * values are checked by the entity's columns at run time instead.
 */
const row = (values: Record<string, unknown>): never => values as never;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The tables key runs by UUID: any other id cannot name a stored run (and PostgreSQL would reject it). */
const isUuid = (value: string): boolean => UUID.test(value);

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);
const date = (value: JsonValue | undefined): Date | null =>
  typeof value === 'string' ? new Date(value) : null;

/**
 * `CheckpointStore` on the persistence package's tables (SQLite embedded, PostgreSQL in
 * production):
 * - `agent_runs`: one row per run (state = the run's status, input, output, error, model, prompt
 *   version, tool versions, usage, step count); fields without a column (stop reason, awaiting,
 *   resume input, deadline, the full versions) live in the run's `agent_steps` row at ordinal 0
 *   (kind `run`), written in the same transaction;
 * - `agent_steps`: one row per checkpoint (kind `checkpoint`, ordinal = step); the unique
 *   `(run_id, ordinal)` makes two workers racing on one step a `CheckpointConflictError`;
 * - `tool_call_records`: one row per completed call, unique on the idempotency key; inserted with
 *   `ON CONFLICT DO NOTHING` (SQLite `INSERT OR IGNORE`), so the first write wins.
 * Run ids must be UUIDs and tenant ids existing tenants (the tables' types and foreign keys).
 */
export class TypeormCheckpointStore implements CheckpointStore {
  private readonly dataSource: DataSource;
  /**
   * SQLite through TypeORM is one connection: two transactions at once fail ("cannot start a
   * transaction within a transaction"), and a query issued during another call's transaction would
   * join it. So on SQLite every call of this store runs alone, in order; PostgreSQL's pool needs none.
   */
  private readonly serial: boolean;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(options: TypeormCheckpointStoreOptions) {
    this.dataSource = options.dataSource;
    this.serial = options.dataSource.options.type !== 'postgres';
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    if (!this.serial) return work();
    const result = this.tail.then(work, work);
    this.tail = result.catch(() => undefined);
    return result;
  }

  async createRun(run: RunRecord): Promise<void> {
    if (!isUuid(run.runId)) {
      throw new InvalidRunInputError({
        runId: run.runId,
        message: `run id "${run.runId}" must be a UUID for the typeorm checkpoint store`,
      });
    }
    return this.exclusive(async () => {
      try {
        await this.dataSource.transaction(async (manager) => {
          await manager
            .getRepository(AgentRun)
            .insert(row({ id: run.runId, ...runColumns(run), createdAt: run.createdAt, version: 1 }));
          await manager.getRepository(AgentStep).insert(
            row({
              id: randomUUID(),
              runId: run.runId,
              ordinal: ENVELOPE_ORDINAL,
              kind: ENVELOPE_KIND,
              payload: envelopeOf(run),
              createdAt: run.createdAt,
            }),
          );
        });
      } catch (error) {
        if (isUniqueViolation(error)) {
          throw new CheckpointConflictError({
            runId: run.runId,
            message: `run ${run.runId} already exists`,
            cause: error,
          });
        }
        throw error;
      }
    });
  }

  async getRun(runId: string): Promise<RunRecord | null> {
    if (!isUuid(runId)) return null;
    return this.exclusive(async () => {
      return this.readRun(this.dataSource.manager, runId);
    });
  }

  async updateRun(run: RunRecord): Promise<void> {
    return this.exclusive(async () => {
      await this.dataSource.transaction((manager) => this.writeRun(manager, run));
    });
  }

  async saveStep(checkpoint: StepCheckpoint, run: RunRecord): Promise<void> {
    return this.exclusive(async () => {
      try {
        await this.dataSource.transaction(async (manager) => {
          const latest = await this.latestOrdinal(manager, checkpoint.runId);
          if (checkpoint.step !== latest + 1) {
            throw new CheckpointConflictError({
              runId: checkpoint.runId,
              message: `cannot save step ${checkpoint.step} of run ${checkpoint.runId}: the latest is ${latest}`,
              details: { step: checkpoint.step, latest },
            });
          }
          // The unique (run_id, ordinal) settles a race that both writers' reads above missed.
          await manager.getRepository(AgentStep).insert(
            row({
              id: randomUUID(),
              runId: checkpoint.runId,
              ordinal: checkpoint.step,
              kind: CHECKPOINT_KIND,
              payload: {
                state: checkpoint.state,
                summary: checkpoint.summary,
                createdAt: checkpoint.createdAt.toISOString(),
              },
              createdAt: checkpoint.createdAt,
            }),
          );
          await this.writeRun(manager, run);
        });
      } catch (error) {
        if (isUniqueViolation(error)) {
          throw new CheckpointConflictError({
            runId: checkpoint.runId,
            message: `step ${checkpoint.step} of run ${checkpoint.runId} was saved by another writer`,
            cause: error,
            details: { step: checkpoint.step },
          });
        }
        throw error;
      }
    });
  }

  async loadLatestStep(runId: string): Promise<StepCheckpoint | null> {
    if (!isUuid(runId)) return null;
    return this.exclusive(async () => {
      const row = await this.dataSource
        .getRepository(AgentStep)
        .createQueryBuilder('step')
        .where('step.runId = :runId AND step.ordinal > :envelope AND step.kind = :kind', {
          runId,
          envelope: ENVELOPE_ORDINAL,
          kind: CHECKPOINT_KIND,
        })
        .orderBy('step.ordinal', 'DESC')
        .limit(1)
        .getOne();
      return row ? checkpointOf(row) : null;
    });
  }

  async listSteps(runId: string): Promise<StepCheckpoint[]> {
    if (!isUuid(runId)) return [];
    return this.exclusive(async () => {
      const rows = await this.dataSource
        .getRepository(AgentStep)
        .createQueryBuilder('step')
        .where('step.runId = :runId AND step.ordinal > :envelope AND step.kind = :kind', {
          runId,
          envelope: ENVELOPE_ORDINAL,
          kind: CHECKPOINT_KIND,
        })
        .orderBy('step.ordinal', 'ASC')
        .getMany();
      return rows.map(checkpointOf);
    });
  }

  async recordToolCall(record: ToolCallRecord): Promise<ToolCallRecord> {
    return this.exclusive(async () => {
      const envelope: ToolCallEnvelope = {
        step: record.step,
        callIndex: record.callIndex,
        toolName: record.toolName,
        toolVersion: record.toolVersion,
        arguments: record.arguments,
        outcome: record.outcome,
        result: record.result,
        durationMs: record.durationMs,
        createdAt: record.createdAt.toISOString(),
      };
      await this.dataSource
        .createQueryBuilder()
        .insert()
        .into(ToolCallRow)
        .values(
          row({
            id: randomUUID(),
            runId: record.runId,
            idempotencyKey: record.idempotencyKey,
            result: envelope,
            createdAt: record.createdAt,
          }),
        )
        .orIgnore()
        .execute();
      const stored = await this.readToolCall(record.idempotencyKey);
      if (!stored) throw new Error(`tool call ${record.idempotencyKey} vanished right after it was recorded`);
      return stored;
    });
  }

  async findToolCall(idempotencyKey: string): Promise<ToolCallRecord | null> {
    return this.exclusive(() => this.readToolCall(idempotencyKey));
  }

  private async readToolCall(idempotencyKey: string): Promise<ToolCallRecord | null> {
    const row = await this.dataSource.getRepository(ToolCallRow).findOne({ where: { idempotencyKey } });
    if (!row) return null;
    const envelope = row.result as unknown as ToolCallEnvelope;
    return {
      idempotencyKey: row.idempotencyKey,
      runId: row.runId,
      step: envelope.step,
      callIndex: envelope.callIndex,
      toolName: envelope.toolName,
      toolVersion: envelope.toolVersion,
      arguments: envelope.arguments ?? null,
      outcome: envelope.outcome,
      result: envelope.result ?? null,
      durationMs: envelope.durationMs,
      createdAt: new Date(envelope.createdAt),
    };
  }

  private async latestOrdinal(manager: EntityManager, runId: string): Promise<number> {
    const row = await manager
      .getRepository(AgentStep)
      .createQueryBuilder('step')
      .select('MAX(step.ordinal)', 'latest')
      .where('step.runId = :runId AND step.kind = :kind', { runId, kind: CHECKPOINT_KIND })
      .getRawOne<{ latest: number | string | null }>();
    return row?.latest === null || row?.latest === undefined ? 0 : Number(row.latest);
  }

  private async writeRun(manager: EntityManager, run: RunRecord): Promise<void> {
    const result = await manager
      .createQueryBuilder()
      .update(AgentRun)
      // `version` moves with every write, so `updateAgentRunIfVersion` users see this one too.
      .set(row({ ...runColumns(run), version: () => 'version + 1' }))
      .where('id = :runId', { runId: run.runId })
      // One conditional UPDATE, so a cancel committed by another process cannot be overwritten.
      .andWhere(run.status === 'cancelled' ? '1 = 1' : "state <> 'cancelled'")
      .execute();
    if (result.affected === 0) {
      const exists = await manager.getRepository(AgentRun).exists({ where: { id: run.runId } });
      if (exists)
        throw new RunCancelledError({ runId: run.runId, message: `run ${run.runId} was cancelled` });
      throw new RunNotFoundError({ runId: run.runId, message: `no run ${run.runId}` });
    }
    await manager
      .createQueryBuilder()
      .update(AgentStep)
      .set(row({ payload: envelopeOf(run) }))
      .where('run_id = :runId AND ordinal = :ordinal', { runId: run.runId, ordinal: ENVELOPE_ORDINAL })
      .execute();
  }

  private async readRun(manager: EntityManager, runId: string): Promise<RunRecord | null> {
    const [row, envelopeRow] = await Promise.all([
      manager.getRepository(AgentRun).findOne({ where: { id: runId } }),
      manager.getRepository(AgentStep).findOne({ where: { runId, ordinal: ENVELOPE_ORDINAL } }),
    ]);
    if (!row || !envelopeRow) return null;
    const envelope = envelopeRow.payload as unknown as RunEnvelope;
    const usage = row.usage as { promptTokens?: number; completionTokens?: number; costUsd?: number };
    return {
      runId: row.id,
      tenantId: row.tenantId,
      kind: envelope.kind,
      name: row.agent,
      status: row.state as RunRecord['status'],
      input: row.input as JsonValue,
      output: (row.output ?? null) as JsonValue,
      stopReason: envelope.stopReason,
      error: (row.error ?? null) as RunRecord['error'],
      awaiting: (envelope.awaiting ?? null) as RunRecord['awaiting'],
      resumeInput: envelope.resumeInput ?? null,
      versions: envelope.versions as unknown as RunRecord['versions'],
      usage: {
        modelCalls: envelope.modelCalls,
        inputTokens: usage.promptTokens ?? 0,
        outputTokens: usage.completionTokens ?? 0,
        costUsd: usage.costUsd ?? 0,
      },
      steps: row.stepCount,
      toolCalls: envelope.toolCalls,
      deadlineAt: date(envelope.deadlineAt),
      createdAt: date(envelope.createdAt) ?? row.createdAt,
      updatedAt: date(envelope.updatedAt) ?? row.updatedAt,
      finishedAt: date(envelope.finishedAt),
      ...(typeof envelope['jobId'] === 'string' ? { jobId: envelope['jobId'] } : {}),
    };
  }
}

function runColumns(run: RunRecord) {
  return {
    tenantId: run.tenantId,
    agent: run.name,
    state: run.status,
    input: run.input,
    output: run.output,
    error: run.error,
    model: run.versions.model,
    promptVersion: run.versions.promptVersion,
    toolVersions: { ...run.versions.tools },
    usage: {
      promptTokens: run.usage.inputTokens,
      completionTokens: run.usage.outputTokens,
      costUsd: run.usage.costUsd,
    },
    stepCount: run.steps,
    updatedAt: run.updatedAt,
  };
}

function envelopeOf(run: RunRecord): RunEnvelope {
  return {
    kind: run.kind,
    stopReason: run.stopReason,
    awaiting: run.awaiting as JsonValue,
    resumeInput: run.resumeInput,
    versions: run.versions as unknown as JsonValue,
    toolCalls: run.toolCalls,
    modelCalls: run.usage.modelCalls,
    deadlineAt: iso(run.deadlineAt),
    createdAt: run.createdAt.toISOString(),
    updatedAt: run.updatedAt.toISOString(),
    finishedAt: iso(run.finishedAt),
    ...(run.jobId ? { jobId: run.jobId } : {}),
  };
}

function checkpointOf(row: AgentStep): StepCheckpoint {
  const payload = row.payload as { state?: JsonValue; summary?: JsonValue; createdAt?: string };
  return {
    runId: row.runId,
    step: row.ordinal,
    state: payload.state ?? null,
    summary: payload.summary ?? null,
    createdAt: payload.createdAt ? new Date(payload.createdAt) : row.createdAt,
  };
}
