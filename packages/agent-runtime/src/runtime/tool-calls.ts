import { ToolExecutionError } from '../errors';
import { describeError } from '../internal/abort';
import { toJson } from '../internal/json';
import type { CheckpointStore, ToolCallRecord } from '../ports/checkpoint-store';
import type { JsonValue } from '../ports/json';
import type { AnyTool } from '../ports/tool';
import { runTool } from '../tools/run-tool';

export interface PlannedCall {
  readonly callIndex: number;
  readonly tool: AnyTool;
  readonly args: unknown;
  readonly rawArgs: JsonValue;
  /** Overrides the default `${runId}:${step}:${callIndex}` (workflow tasks use the node id). */
  readonly idempotencyKey?: string;
}

export interface CallContext {
  readonly store: CheckpointStore;
  readonly runId: string;
  readonly tenantId: string;
  readonly step: number;
  readonly signal: AbortSignal;
  readonly now: () => Date;
}

export interface CompletedCall {
  readonly record: ToolCallRecord;
  /** True when the record was found from an earlier attempt and the tool was not executed. */
  readonly replayed: boolean;
}

export function idempotencyKeyOf(runId: string, step: number, callIndex: number | string): string {
  return `${runId}:${step}:${callIndex}`;
}

/**
 * Executes one call at most once per idempotency key: a call already recorded (by this worker or
 * by one that died) is replayed from its record; otherwise the tool runs (timeout, retries) and its
 * final outcome, success or error, is recorded before anyone uses it. Only the run's own abort
 * (deadline, shutdown) escapes as an exception; then nothing is recorded and a resumed step runs
 * the call again.
 */
export async function executeCall(call: PlannedCall, context: CallContext): Promise<CompletedCall> {
  const key = call.idempotencyKey ?? idempotencyKeyOf(context.runId, context.step, call.callIndex);
  const existing = await context.store.findToolCall(key);
  if (existing) return { record: existing, replayed: true };
  const startedAt = Date.now();
  let outcome: ToolCallRecord['outcome'];
  let result: JsonValue;
  try {
    result = toJson(
      await runTool(call.tool, call.args, {
        runId: context.runId,
        tenantId: context.tenantId,
        idempotencyKey: key,
        signal: context.signal,
      }),
    );
    outcome = 'ok';
  } catch (error) {
    if (!ToolExecutionError.isInstance(error)) throw error;
    outcome = 'error';
    result = describeError(error);
  }
  const record = await context.store.recordToolCall({
    idempotencyKey: key,
    runId: context.runId,
    step: context.step,
    callIndex: call.callIndex,
    toolName: call.tool.name,
    toolVersion: call.tool.version,
    arguments: call.rawArgs,
    outcome,
    result,
    durationMs: Date.now() - startedAt,
    createdAt: context.now(),
  });
  return { record, replayed: false };
}

/**
 * Runs the calls of one turn: `parallel` tools together, each `exclusive` tool alone in the order
 * asked. Results come back in call order.
 */
export async function executeCalls(
  calls: readonly PlannedCall[],
  context: CallContext,
): Promise<CompletedCall[]> {
  const results = new Array<CompletedCall>(calls.length);
  let batch: number[] = [];
  const flush = async (): Promise<void> => {
    const completed = await Promise.all(batch.map((position) => executeCall(calls[position]!, context)));
    batch.forEach((position, index) => (results[position] = completed[index]!));
    batch = [];
  };
  for (let position = 0; position < calls.length; position += 1) {
    if (calls[position]!.tool.concurrency === 'exclusive') {
      await flush();
      results[position] = await executeCall(calls[position]!, context);
    } else {
      batch.push(position);
    }
  }
  await flush();
  return results;
}
