import { z } from 'zod';
import { ToolExecutionError } from '../errors';
import type { CheckpointStore, RunRecord } from '../ports/checkpoint-store';
import type { JsonObject, JsonValue } from '../ports/json';
import type { AnyTool } from '../ports/tool';
import { executeCalls, idempotencyKeyOf, type PlannedCall } from '../runtime/tool-calls';
import { NO_USAGE, type StepOutcome } from '../runtime/step-outcome';
import type {
  HumanNode,
  TaskNode,
  WorkflowDefinition,
  WorkflowNode,
  WorkflowView,
} from './workflow-definition';

/** The checkpointed state of a workflow run. */
export interface WorkflowState {
  readonly kind: 'workflow';
  readonly results: Readonly<Record<string, JsonValue>>;
  /** Branch id → the case taken (`null`: skipped). */
  readonly decisions: Readonly<Record<string, string | null>>;
  /** The human node the run waits on. */
  readonly awaiting: string | null;
}

export const initialWorkflowState = (): WorkflowState => ({
  kind: 'workflow',
  results: {},
  decisions: {},
  awaiting: null,
});

interface Frontier {
  readonly done: boolean;
  readonly tasks: TaskNode[];
  readonly humans: HumanNode[];
}

/** The tasks ready to run now (and the human nodes waiting), given what finished; records new branch decisions. */
function frontier(
  node: WorkflowNode,
  view: WorkflowView,
  decisions: Record<string, string | null>,
): Frontier {
  switch (node.kind) {
    case 'task':
      return node.id in view.results ? DONE : { done: false, tasks: [node], humans: [] };
    case 'human':
      return node.id in view.results ? DONE : { done: false, tasks: [], humans: [node] };
    case 'sequence': {
      for (const child of node.steps) {
        const next = frontier(child, view, decisions);
        if (!next.done) return next;
      }
      return DONE;
    }
    case 'parallel': {
      const parts = node.branches.map((child) => frontier(child, view, decisions));
      if (parts.every((part) => part.done)) return DONE;
      return {
        done: false,
        tasks: parts.flatMap((part) => part.tasks),
        humans: parts.flatMap((part) => part.humans),
      };
    }
    case 'branch': {
      if (!(node.id in decisions)) {
        const choice = node.condition(view);
        decisions[node.id] = choice in node.cases ? choice : node.otherwise ? '$otherwise' : null;
      }
      const decision = decisions[node.id];
      if (decision === null || decision === undefined) return DONE;
      const chosen = decision === '$otherwise' ? node.otherwise : node.cases[decision];
      return chosen ? frontier(chosen, view, decisions) : DONE;
    }
  }
}

const DONE: Frontier = { done: true, tasks: [], humans: [] };

function taskTool(node: TaskNode, view: WorkflowView): AnyTool {
  return {
    name: node.id,
    version: node.version ?? '1',
    description: `workflow task ${node.id}`,
    input: z.unknown(),
    timeoutMs: node.timeoutMs,
    retry: node.retry,
    execute: (_args, context) => node.run({ ...view, ...context }),
  };
}

export interface WorkflowStepContext {
  readonly definition: WorkflowDefinition<unknown>;
  readonly run: RunRecord;
  readonly step: number;
  readonly state: WorkflowState;
  readonly store: CheckpointStore;
  readonly signal: AbortSignal;
  readonly now: () => Date;
}

/** One step of a workflow: the tasks ready now run together; then the run finishes, pauses or goes on. */
export async function runWorkflowStep(context: WorkflowStepContext): Promise<StepOutcome> {
  const { definition, run, step } = context;
  const results: Record<string, JsonValue> = { ...context.state.results };
  const decisions: Record<string, string | null> = { ...context.state.decisions };
  let consumedResumeInput = false;
  // Only `resume` re-queues a run waiting on a human node: its input (even `null`) is the answer.
  if (context.state.awaiting !== null) {
    results[context.state.awaiting] = run.resumeInput;
    consumedResumeInput = true;
  }
  const view = (): WorkflowView => ({ input: run.input, results: { ...results } });
  const before = frontier(definition.root, view(), decisions);
  const snapshot = view();
  const planned: PlannedCall[] = before.tasks.map((node, callIndex) => ({
    callIndex,
    tool: taskTool(node, snapshot),
    args: null,
    rawArgs: null,
    idempotencyKey: idempotencyKeyOf(run.runId, step, node.id),
  }));
  const completed = await executeCalls(planned, {
    store: context.store,
    runId: run.runId,
    tenantId: run.tenantId,
    step,
    signal: context.signal,
    now: context.now,
  });
  const summary: JsonObject = {
    tasks: before.tasks.map((node, index) => ({
      id: node.id,
      outcome: completed[index]!.record.outcome,
      replayed: completed[index]!.replayed,
    })),
  };
  const base = { usage: NO_USAGE, toolCalls: planned.length, consumedResumeInput };
  const failed = completed.findIndex((call) => call.record.outcome === 'error');
  if (failed >= 0) {
    const node = before.tasks[failed]!;
    const cause = completed[failed]!.record.result as { code?: string; message?: string };
    return {
      ...base,
      state: {
        kind: 'workflow',
        results,
        decisions,
        awaiting: null,
      } satisfies WorkflowState as unknown as JsonValue,
      summary: { ...summary, stopped: 'step_failed' },
      end: {
        status: 'failed',
        stopReason: 'step_failed',
        error: new ToolExecutionError({
          runId: run.runId,
          message: `workflow task "${node.id}" failed: ${cause.message ?? 'unknown error'}`,
          details: { node: node.id, cause },
        }),
      },
    };
  }
  before.tasks.forEach((node, index) => (results[node.id] = completed[index]!.record.result));
  const after = frontier(definition.root, view(), decisions);
  const toState = (awaiting: string | null): JsonValue =>
    ({ kind: 'workflow', results, decisions, awaiting }) satisfies WorkflowState as unknown as JsonValue;
  if (after.done) {
    const output = definition.output ? definition.output(view()) : { ...results };
    return {
      ...base,
      state: toState(null),
      summary: { ...summary, completed: true },
      end: { status: 'succeeded', stopReason: 'workflow_completed', output },
    };
  }
  if (after.tasks.length === 0 && after.humans.length > 0) {
    const node = after.humans[0]!;
    const prompt = typeof node.prompt === 'string' ? node.prompt : node.prompt(view());
    return {
      ...base,
      state: toState(node.id),
      summary: { ...summary, awaiting: node.id },
      end: { status: 'paused', awaiting: { prompt, data: { node: node.id } } },
    };
  }
  return { ...base, state: toState(null), summary };
}
