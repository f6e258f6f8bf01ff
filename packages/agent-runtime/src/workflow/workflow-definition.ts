import { z } from 'zod';
import { checkName } from '../agent/agent-definition';
import { InvalidAgentDefinitionError } from '../errors';
import type { JsonValue } from '../ports/json';
import type { RetryPolicy } from '../ports/tool';

/** What a task, a condition or a prompt sees: the run's input and the results of finished nodes. */
export interface WorkflowView {
  readonly input: JsonValue;
  /** Node id → result, for every task and human node finished so far. */
  readonly results: Readonly<Record<string, JsonValue>>;
}

export interface WorkflowTaskContext extends WorkflowView {
  readonly signal: AbortSignal;
  /** `${runId}:${step}:${nodeId}`: stable across retries and a resume after a crash. */
  readonly idempotencyKey: string;
  readonly runId: string;
  readonly tenantId: string;
  readonly attempt: number;
}

export interface TaskNode {
  readonly kind: 'task';
  readonly id: string;
  /** Recorded on the run with the tool versions. Default `1`. */
  readonly version?: string;
  readonly run: (context: WorkflowTaskContext) => Promise<JsonValue>;
  /** Per attempt; default 30 s. */
  readonly timeoutMs?: number;
  readonly retry?: RetryPolicy;
}

/** Pauses the run until `AgentRuntime.resume(runId, input)`; `input` becomes this node's result. */
export interface HumanNode {
  readonly kind: 'human';
  readonly id: string;
  readonly prompt: string | ((view: WorkflowView) => string);
}

export interface SequenceNode {
  readonly kind: 'sequence';
  readonly id: string;
  readonly steps: readonly WorkflowNode[];
}

/** Runs its branches at the same time: the ready tasks of every branch share one step. */
export interface ParallelNode {
  readonly kind: 'parallel';
  readonly id: string;
  readonly branches: readonly WorkflowNode[];
}

/**
 * Picks one case by `condition` (evaluated once, when the branch is reached; the choice is
 * checkpointed, so a resumed run takes the same path). No matching case and no `otherwise`: skipped.
 */
export interface BranchNode {
  readonly kind: 'branch';
  readonly id: string;
  readonly condition: (view: WorkflowView) => string;
  readonly cases: Readonly<Record<string, WorkflowNode>>;
  readonly otherwise?: WorkflowNode;
}

export type WorkflowNode = TaskNode | HumanNode | SequenceNode | ParallelNode | BranchNode;

/**
 * A deterministic multi-step workflow: a graph of tasks in sequence, in parallel and behind
 * conditions, run on the same checkpoints as a free agent (each step = the tasks ready at once).
 */
export interface WorkflowDefinition<TInput = unknown> {
  readonly kind: 'workflow';
  readonly name: string;
  /** Recorded on each run as its prompt version: bump it when the graph changes. */
  readonly version: string;
  readonly input: z.ZodType<TInput>;
  readonly root: WorkflowNode;
  /** The run's output; default: every node's result by id. */
  readonly output?: (view: WorkflowView) => JsonValue;
  readonly limits?: { readonly maxSteps?: number; readonly deadlineMs?: number };
}

export const task = (
  id: string,
  run: TaskNode['run'],
  options: Pick<TaskNode, 'version' | 'timeoutMs' | 'retry'> = {},
): TaskNode => ({ kind: 'task', id, run, ...options });
export const human = (id: string, prompt: HumanNode['prompt']): HumanNode => ({ kind: 'human', id, prompt });
export const sequence = (id: string, ...steps: WorkflowNode[]): SequenceNode => ({
  kind: 'sequence',
  id,
  steps,
});
export const parallel = (id: string, ...branches: WorkflowNode[]): ParallelNode => ({
  kind: 'parallel',
  id,
  branches,
});
export const branch = (
  id: string,
  condition: BranchNode['condition'],
  cases: BranchNode['cases'],
  otherwise?: WorkflowNode,
): BranchNode => ({ kind: 'branch', id, condition, cases, ...(otherwise ? { otherwise } : {}) });

export function childrenOf(node: WorkflowNode): readonly WorkflowNode[] {
  switch (node.kind) {
    case 'sequence':
      return node.steps;
    case 'parallel':
      return node.branches;
    case 'branch':
      return [...Object.values(node.cases), ...(node.otherwise ? [node.otherwise] : [])];
    default:
      return [];
  }
}

export function allNodes(root: WorkflowNode): WorkflowNode[] {
  return [root, ...childrenOf(root).flatMap(allNodes)];
}

const NODE_ID = /^[a-zA-Z0-9_.-]{1,64}$/;

export function defineWorkflow<TInput>(
  definition: Omit<WorkflowDefinition<TInput>, 'kind'>,
): WorkflowDefinition<TInput> {
  checkName(definition.name);
  const ids = new Set<string>();
  for (const node of allNodes(definition.root)) {
    if (!NODE_ID.test(node.id)) {
      throw new InvalidAgentDefinitionError({
        message: `workflow "${definition.name}": node id "${node.id}" must match ${NODE_ID.source}`,
      });
    }
    if (ids.has(node.id)) {
      throw new InvalidAgentDefinitionError({
        message: `workflow "${definition.name}" has two nodes with id "${node.id}"`,
      });
    }
    ids.add(node.id);
  }
  return { kind: 'workflow', ...definition };
}

export const anyInput = z.unknown();
