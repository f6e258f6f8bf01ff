import { randomUUID } from 'node:crypto';
import { canonicalJson } from '../internal/json';
import type { CheckpointStore, RunRecord, StepCheckpoint, ToolCallRecord } from '../ports/checkpoint-store';

/** The test functions the suite needs (jest's, vitest's or node:test's). */
export interface ContractTestApi {
  readonly describe: (name: string, body: () => void) => void;
  readonly it: (name: string, body: () => Promise<void>) => void;
  readonly beforeEach?: (body: () => Promise<void>) => void;
  readonly afterEach?: (body: () => Promise<void>) => void;
}

/** Declared differences between adapters (none so far: every adapter holds every guarantee). */
export interface CheckpointStoreCapabilities {
  /** A tenant id the store accepts (the typeorm store needs an existing tenant). Default `tenant-a`. */
  readonly tenantId?: string;
  /** The store survives a new instance over the same storage (`reopen` must be given). */
  readonly durable?: boolean;
}

/** A complete run record with a fresh UUID, for tests (every field set, dates at millisecond precision). */
export function makeSampleRun(overrides: Partial<RunRecord> = {}): RunRecord {
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  return {
    runId: randomUUID(),
    tenantId: 'tenant-a',
    kind: 'agent',
    name: 'research',
    status: 'queued',
    input: { question: 'What is the refund window?', nested: { list: [1, 'two', null, true] } },
    output: null,
    stopReason: null,
    error: null,
    awaiting: null,
    resumeInput: null,
    versions: {
      model: 'planner',
      fallbackModel: 'fallback',
      lastModelUsed: null,
      promptVersion: 'v1',
      temperature: 0,
      seed: 42,
      tools: { search: '1.0.0', read: '2.1.0' },
    },
    usage: { modelCalls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 },
    steps: 0,
    toolCalls: 0,
    deadlineAt: new Date(now.getTime() + 60_000),
    createdAt: now,
    updatedAt: now,
    finishedAt: null,
    ...overrides,
  };
}

function checkpoint(run: RunRecord, step: number, state: StepCheckpoint['state'] = { step }): StepCheckpoint {
  return {
    runId: run.runId,
    step,
    state,
    summary: { note: `step ${step}` },
    createdAt: new Date(run.createdAt.getTime() + step),
  };
}

function toolCall(
  run: RunRecord,
  step: number,
  callIndex: number,
  result: ToolCallRecord['result'],
): ToolCallRecord {
  return {
    idempotencyKey: `${run.runId}:${step}:${callIndex}`,
    runId: run.runId,
    step,
    callIndex,
    toolName: 'search',
    toolVersion: '1.0.0',
    arguments: { query: 'refund', topK: 3 },
    outcome: 'ok',
    result,
    durationMs: 12,
    createdAt: new Date(run.createdAt.getTime() + 5),
  };
}

const isConflict = (error: unknown): boolean => (error as { code?: unknown })?.code === 'CHECKPOINT_CONFLICT';

async function expectConflict(work: Promise<unknown>): Promise<void> {
  try {
    await work;
  } catch (error) {
    if (isConflict(error)) return;
    throw new Error(`expected CHECKPOINT_CONFLICT, got ${String((error as Error)?.message ?? error)}`);
  }
  throw new Error('expected CHECKPOINT_CONFLICT, but the call succeeded');
}

function expectEqual(actual: unknown, expected: unknown, what: string): void {
  // Canonical JSON: key order is not part of a JSON value (PostgreSQL's jsonb reorders keys).
  const left = canonicalJson(actual);
  const right = canonicalJson(expected);
  if (left !== right) throw new Error(`${what}: expected ${right}, got ${left}`);
}

/**
 * The one contract every `CheckpointStore` adapter runs:
 * `checkpointStoreContract({ describe, it }, () => new MemoryCheckpointStore())`.
 * `factory` returns a store (fresh or shared: every test uses its own run ids); `reopen`, for
 * durable stores, returns a second instance over the same storage.
 */
export function checkpointStoreContract(
  api: ContractTestApi,
  factory: () => CheckpointStore | Promise<CheckpointStore>,
  capabilities: CheckpointStoreCapabilities & {
    reopen?: () => CheckpointStore | Promise<CheckpointStore>;
  } = {},
): void {
  const { describe, it } = api;
  const sampleRun = (overrides: Partial<RunRecord> = {}): RunRecord =>
    makeSampleRun({ tenantId: capabilities.tenantId ?? 'tenant-a', ...overrides });
  describe('CheckpointStore contract', () => {
    it('creates a run and reads it back equal (JSON values and dates)', async () => {
      const store = await factory();
      const run = sampleRun();
      await store.createRun(run);
      expectEqual(await store.getRun(run.runId), run, 'getRun');
      const loaded = await store.getRun(run.runId);
      // Compared by tag, not `instanceof`: a test runner's sandbox may have its own `Date`.
      const isDate = (value: unknown): boolean => Object.prototype.toString.call(value) === '[object Date]';
      if (!isDate(loaded?.createdAt) || !isDate(loaded?.deadlineAt)) {
        throw new Error('dates must come back as Date objects');
      }
    });

    it('returns null for an unknown run, checkpoint or tool call', async () => {
      const store = await factory();
      if ((await store.getRun('missing-run')) !== null)
        throw new Error('getRun of an unknown id must be null');
      if ((await store.loadLatestStep('missing-run')) !== null)
        throw new Error('loadLatestStep must be null');
      expectEqual(await store.listSteps('missing-run'), [], 'listSteps');
      if ((await store.findToolCall('missing:1:0')) !== null) throw new Error('findToolCall must be null');
    });

    it('rejects a second run with the same id (CHECKPOINT_CONFLICT) and keeps the first', async () => {
      const store = await factory();
      const run = sampleRun();
      await store.createRun(run);
      await expectConflict(store.createRun({ ...run, name: 'other' }));
      expectEqual((await store.getRun(run.runId))?.name, 'research', 'name of the first run');
    });

    it('replaces a run record with updateRun', async () => {
      const store = await factory();
      const run = sampleRun();
      await store.createRun(run);
      const finished: RunRecord = {
        ...run,
        status: 'failed',
        stopReason: 'loop_detected',
        error: { code: 'AGENT_LOOP_DETECTED', message: 'same call 3 times' },
        output: { partial: ['a', 1] },
        usage: { modelCalls: 3, inputTokens: 120, outputTokens: 30, costUsd: 0.000123456 },
        finishedAt: new Date(run.createdAt.getTime() + 1234),
        updatedAt: new Date(run.createdAt.getTime() + 1234),
      };
      await store.updateRun(finished);
      expectEqual(await store.getRun(run.runId), finished, 'updated run');
    });

    it('keeps a cancelled run cancelled: a later updateRun or saveStep is RUN_CANCELLED and changes nothing', async () => {
      const store = await factory();
      const run = sampleRun({ status: 'running', jobId: 'job-1' });
      await store.createRun(run);
      const cancelled: RunRecord = { ...run, status: 'cancelled', stopReason: 'cancelled', jobId: 'job-1' };
      await store.updateRun(cancelled);
      const refused = async (write: Promise<void>, what: string): Promise<void> => {
        const outcome = await write.then(
          () => 'written',
          (error: unknown) => (error as { code?: string }).code,
        );
        if (outcome !== 'RUN_CANCELLED') throw new Error(`${what}: expected RUN_CANCELLED, got ${outcome}`);
      };
      await refused(store.updateRun({ ...run, steps: 1 }), 'updateRun');
      await refused(
        store.saveStep(
          { runId: run.runId, step: 1, state: { s: 1 }, summary: {}, createdAt: run.createdAt },
          { ...run, steps: 1 },
        ),
        'saveStep',
      );
      expectEqual(await store.getRun(run.runId), cancelled, 'the cancelled run');
      expectEqual(await store.listSteps(run.runId), [], 'steps of the cancelled run');
      // Writing it again as cancelled (a worker settling it) is allowed.
      await store.updateRun({ ...cancelled, toolCalls: 2 });
      expectEqual((await store.getRun(run.runId))?.toolCalls, 2, 'toolCalls');
    });

    it('saves consecutive steps with the run atomically and loads the latest', async () => {
      const store = await factory();
      const run = sampleRun();
      await store.createRun(run);
      await store.saveStep(checkpoint(run, 1, { messages: [{ role: 'user', content: 'hi' }] }), {
        ...run,
        status: 'running',
        steps: 1,
      });
      await store.saveStep(checkpoint(run, 2), { ...run, status: 'running', steps: 2, toolCalls: 3 });
      expectEqual(await store.loadLatestStep(run.runId), checkpoint(run, 2), 'latest step');
      expectEqual(
        await store.listSteps(run.runId),
        [checkpoint(run, 1, { messages: [{ role: 'user', content: 'hi' }] }), checkpoint(run, 2)],
        'steps',
      );
      const stored = await store.getRun(run.runId);
      expectEqual(
        [stored?.steps, stored?.toolCalls, stored?.status],
        [2, 3, 'running'],
        'run saved with the step',
      );
    });

    it('rejects a step that is not the next one (CHECKPOINT_CONFLICT) and changes nothing', async () => {
      const store = await factory();
      const run = sampleRun();
      await store.createRun(run);
      await store.saveStep(checkpoint(run, 1), { ...run, steps: 1 });
      await expectConflict(store.saveStep(checkpoint(run, 1, { other: true }), { ...run, steps: 99 }));
      await expectConflict(store.saveStep(checkpoint(run, 3), { ...run, steps: 98 }));
      expectEqual(await store.listSteps(run.runId), [checkpoint(run, 1)], 'steps after the conflicts');
      expectEqual((await store.getRun(run.runId))?.steps, 1, 'run untouched by a rejected step');
    });

    it('lets exactly one of two racing writers save a step', async () => {
      const store = await factory();
      const run = sampleRun();
      await store.createRun(run);
      const results = await Promise.allSettled([
        store.saveStep(checkpoint(run, 1, { writer: 'a' }), { ...run, steps: 1, name: 'a' }),
        store.saveStep(checkpoint(run, 1, { writer: 'b' }), { ...run, steps: 1, name: 'b' }),
      ]);
      const won = results.filter((result) => result.status === 'fulfilled').length;
      if (won !== 1) {
        const reasons = results.map((result) =>
          result.status === 'rejected' ? String(result.reason) : 'ok',
        );
        throw new Error(`expected one writer to win, ${won} did: ${reasons.join(' | ')}`);
      }
      const lost = results.find((result) => result.status === 'rejected') as PromiseRejectedResult;
      if (!isConflict(lost.reason))
        throw new Error(`the loser must get CHECKPOINT_CONFLICT: ${String(lost.reason)}`);
      const steps = await store.listSteps(run.runId);
      const stored = await store.getRun(run.runId);
      expectEqual(steps.length, 1, 'one step stored');
      expectEqual(
        (steps[0]?.state as { writer: string }).writer,
        stored?.name,
        'the winner wrote both the step and the run',
      );
    });

    it('records a tool call once: the first write wins and is found by its key', async () => {
      const store = await factory();
      const run = sampleRun();
      await store.createRun(run);
      const first = toolCall(run, 1, 0, { hits: [{ documentId: 'd1', score: 0.5 }] });
      expectEqual(await store.recordToolCall(first), first, 'recordToolCall returns the stored record');
      const second = { ...first, result: { hits: [] }, outcome: 'error' as const };
      expectEqual(
        await store.recordToolCall(second),
        first,
        'a second record with the same key returns the first',
      );
      expectEqual(await store.findToolCall(first.idempotencyKey), first, 'findToolCall');
      const other = toolCall(run, 1, 1, 'plain string result');
      await store.recordToolCall(other);
      expectEqual(
        await store.findToolCall(other.idempotencyKey),
        other,
        'a second call index is its own record',
      );
    });

    it('keeps exactly one record when the same key is recorded concurrently', async () => {
      const store = await factory();
      const run = sampleRun();
      await store.createRun(run);
      const records = [0, 1, 2, 3].map((attempt) => toolCall(run, 2, 0, { attempt }));
      const returned = await Promise.all(records.map((record) => store.recordToolCall(record)));
      const stored = await store.findToolCall(records[0]!.idempotencyKey);
      for (const record of returned) expectEqual(record, stored, 'every writer sees the one stored record');
    });

    if (capabilities.durable && capabilities.reopen) {
      const reopen = capabilities.reopen;
      it('keeps runs, steps and tool calls across a new store instance', async () => {
        const store = await factory();
        const run = sampleRun();
        await store.createRun(run);
        await store.saveStep(checkpoint(run, 1), { ...run, steps: 1 });
        const call = toolCall(run, 1, 0, { ok: true });
        await store.recordToolCall(call);
        const again = await reopen();
        try {
          expectEqual(await again.getRun(run.runId), { ...run, steps: 1 }, 'run after reopen');
          expectEqual(await again.loadLatestStep(run.runId), checkpoint(run, 1), 'step after reopen');
          expectEqual(await again.findToolCall(call.idempotencyKey), call, 'tool call after reopen');
        } finally {
          await again.close?.();
        }
      });
    }
  });
}
