import {
  AgentBudgetExceededError,
  AgentLoopDetectedError,
  AgentModelFailedError,
  AgentStepLimitError,
  InvalidToolArgumentsError,
} from '../errors';
import { AbortedError, describeError, raceAbort } from '../internal/abort';
import type {
  AgentMessage,
  AgentModel,
  AgentToolCall,
  ModelTurn,
  ModelTurnRequest,
} from '../ports/agent-model';
import type { CheckpointStore, RunRecord, RunUsage } from '../ports/checkpoint-store';
import type { JsonObject, JsonValue } from '../ports/json';
import { isAwaitInput, type AnyTool } from '../ports/tool';
import { executeCalls, type PlannedCall } from '../runtime/tool-calls';
import { NO_USAGE, type StepEnd, type StepOutcome } from '../runtime/step-outcome';
import { parseToolArguments, toolSpec } from '../tools/define-tool';
import type { AgentDefinition, RunLimits } from './agent-definition';
import { countCalls, EMPTY_LOOP_STATE, recordResults, type LoopState } from './loop-detector';

/** The checkpointed state of a free agent run. */
export interface AgentState {
  readonly kind: 'agent';
  readonly messages: readonly AgentMessage[];
  readonly loop: LoopState;
  /** Steps in a row that had invalid tool arguments (the second one fails the run). */
  readonly invalidArgumentSteps: number;
  /** A tool call waiting for outside input (the run is paused). */
  readonly pending: { readonly toolCallId: string; readonly toolName: string } | null;
}

export function initialAgentState(messages: AgentMessage[]): AgentState {
  return { kind: 'agent', messages, loop: EMPTY_LOOP_STATE, invalidArgumentSteps: 0, pending: null };
}

export interface AgentStepContext {
  readonly definition: AgentDefinition<unknown>;
  readonly limits: RunLimits;
  readonly run: RunRecord;
  readonly step: number;
  readonly state: AgentState;
  readonly store: CheckpointStore;
  readonly signal: AbortSignal;
  readonly now: () => Date;
}

const isGatewayBudgetError = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'BUDGET_EXCEEDED';

async function callModel(
  definition: AgentDefinition<unknown>,
  request: ModelTurnRequest,
): Promise<{ turn: ModelTurn; fellBack: boolean; primaryError?: { code: string; message: string } }> {
  const attempt = (model: AgentModel): Promise<ModelTurn> =>
    raceAbort(
      Promise.resolve().then(() => model.next(request)),
      request.signal,
    );
  try {
    return { turn: await attempt(definition.model), fellBack: false };
  } catch (primaryError) {
    if (primaryError instanceof AbortedError || isGatewayBudgetError(primaryError)) throw primaryError;
    if (!definition.fallbackModel) {
      throw new AgentModelFailedError({
        runId: request.runId,
        message: `model "${definition.model.id}" failed and the agent has no fallback: ${describeError(primaryError).message}`,
        cause: primaryError,
        details: { step: request.step, primary: describeError(primaryError) },
      });
    }
    try {
      return {
        turn: await attempt(definition.fallbackModel),
        fellBack: true,
        primaryError: describeError(primaryError),
      };
    } catch (fallbackError) {
      if (fallbackError instanceof AbortedError || isGatewayBudgetError(fallbackError)) throw fallbackError;
      throw new AgentModelFailedError({
        runId: request.runId,
        message: `model "${definition.model.id}" and fallback "${definition.fallbackModel.id}" both failed: ${describeError(fallbackError).message}`,
        cause: fallbackError,
        details: {
          step: request.step,
          primary: describeError(primaryError),
          fallback: describeError(fallbackError),
        },
      });
    }
  }
}

type FailedEnd = Extract<StepEnd, { status: 'failed' }>;

function budgetEnd(limits: RunLimits, usage: RunUsage, runId: string): FailedEnd | undefined {
  const tokens = usage.inputTokens + usage.outputTokens;
  if (tokens >= limits.maxTokens) {
    return {
      status: 'failed',
      stopReason: 'token_budget_exceeded',
      error: new AgentBudgetExceededError({
        runId,
        message: `the run used ${tokens} tokens, its budget is ${limits.maxTokens}`,
        details: { tokens, maxTokens: limits.maxTokens },
      }),
    };
  }
  if (usage.costUsd >= limits.maxCostUsd) {
    return {
      status: 'failed',
      stopReason: 'cost_budget_exceeded',
      error: new AgentBudgetExceededError({
        runId,
        message: `the run cost ${usage.costUsd.toFixed(6)} USD, its budget is ${limits.maxCostUsd} USD`,
        details: { costUsd: usage.costUsd, maxCostUsd: limits.maxCostUsd },
      }),
    };
  }
  return undefined;
}

const toolMessage = (call: AgentToolCall, content: JsonValue): AgentMessage => ({
  role: 'tool',
  toolCallId: call.id,
  name: call.name,
  content: typeof content === 'string' ? content : JSON.stringify(content),
});

/**
 * One step of a free agent: (consume resume input) → budget check → model (fallback on failure)
 * → final answer, or validate and run the tool calls (recorded by idempotency key) → loop checks.
 * Pure with respect to the run record: the caller checkpoints the returned state.
 */
export async function runAgentStep(context: AgentStepContext): Promise<StepOutcome> {
  const { definition, limits, run, step, store, signal } = context;
  let messages = [...context.state.messages];
  let pending = context.state.pending;
  let consumedResumeInput = false;
  // A run whose state waits for input is only processed again after `resume`: its input (even `null`) is the answer.
  if (pending !== null) {
    messages.push({
      role: 'tool',
      toolCallId: pending.toolCallId,
      name: pending.toolName,
      content: JSON.stringify(run.resumeInput),
    });
    pending = null;
    consumedResumeInput = true;
  }
  const base = { ...context.state, messages, pending };
  const outcome = (
    fields: Partial<StepOutcome> & { state: JsonValue; summary: JsonObject },
  ): StepOutcome => ({ usage: NO_USAGE, toolCalls: 0, consumedResumeInput, ...fields });

  const budgetBefore = budgetEnd(limits, run.usage, run.runId);
  if (budgetBefore)
    return outcome({
      state: toJsonState(base),
      summary: { stopped: budgetBefore.stopReason },
      end: budgetBefore,
    });

  const toolsByName = new Map<string, AnyTool>(definition.tools.map((tool) => [tool.name, tool]));
  let model: Awaited<ReturnType<typeof callModel>>;
  try {
    model = await callModel(definition, {
      runId: run.runId,
      tenantId: run.tenantId,
      step,
      messages,
      tools: definition.tools.map(toolSpec),
      temperature: definition.temperature ?? 0,
      seed: definition.seed,
      signal,
      ...(Number.isFinite(limits.maxCostUsd)
        ? { runBudget: { limitUsd: limits.maxCostUsd, spentUsd: run.usage.costUsd } }
        : {}),
    });
  } catch (error) {
    if (isGatewayBudgetError(error)) {
      const end: FailedEnd = {
        status: 'failed',
        stopReason: 'gateway_budget_exceeded',
        error: new AgentBudgetExceededError({
          runId: run.runId,
          message: describeError(error).message,
          cause: error,
        }),
      };
      return outcome({ state: toJsonState(base), summary: { stopped: end.stopReason }, end });
    }
    if (AgentModelFailedError.isInstance(error) && error.code === 'AGENT_MODEL_FAILED') {
      return outcome({
        state: toJsonState(base),
        summary: { stopped: 'model_failed', error: describeError(error) },
        end: { status: 'failed', stopReason: 'model_failed', error },
      });
    }
    throw error;
  }
  const { turn } = model;
  const usage: RunUsage = {
    modelCalls: 1,
    inputTokens: turn.usage.inputTokens,
    outputTokens: turn.usage.outputTokens,
    costUsd: turn.usage.costUsd,
  };
  messages = [
    ...messages,
    {
      role: 'assistant',
      content: turn.content,
      toolCalls: turn.toolCalls.length > 0 ? turn.toolCalls : undefined,
    },
  ];
  const summary: JsonObject = {
    model: turn.model,
    fellBack: model.fellBack,
    ...(model.primaryError ? { primaryError: model.primaryError } : {}),
    usage: { ...usage },
  };
  const common = { usage, modelUsed: turn.model };

  if (turn.toolCalls.length === 0) {
    const citations = (turn.citations ?? []).map((citation) => ({ ...citation }));
    const output = definition.output
      ? definition.output({ content: turn.content, citations })
      : { answer: turn.content, citations };
    return outcome({
      ...common,
      state: toJsonState({ ...base, messages }),
      summary: { ...summary, final: true },
      end: { status: 'succeeded', stopReason: 'final_answer', output },
    });
  }

  const after = {
    ...run.usage,
    inputTokens: run.usage.inputTokens + usage.inputTokens,
    outputTokens: run.usage.outputTokens + usage.outputTokens,
    costUsd: run.usage.costUsd + usage.costUsd,
  };
  const stop = (end: FailedEnd, extra: JsonObject = {}): StepOutcome =>
    outcome({
      ...common,
      state: toJsonState({ ...base, messages }),
      summary: { ...summary, ...extra, stopped: end.stopReason },
      end,
    });

  const budgetAfter = budgetEnd(limits, after, run.runId);
  if (budgetAfter) return stop(budgetAfter);

  if (run.toolCalls + turn.toolCalls.length > limits.maxToolCalls) {
    return stop({
      status: 'failed',
      stopReason: 'max_tool_calls',
      error: new AgentStepLimitError({
        runId: run.runId,
        message: `the model asked for ${turn.toolCalls.length} more tool call(s) after ${run.toolCalls}; the limit is ${limits.maxToolCalls}`,
        details: {
          toolCalls: run.toolCalls,
          requested: turn.toolCalls.length,
          maxToolCalls: limits.maxToolCalls,
        },
      }),
    });
  }

  // Validate every call first: the invalid ones become tool errors, the valid ones run.
  const planned: PlannedCall[] = [];
  const invalid = new Map<number, string>();
  turn.toolCalls.forEach((call, callIndex) => {
    const tool = toolsByName.get(call.name);
    if (!tool) {
      invalid.set(callIndex, `unknown tool "${call.name}"; available: ${[...toolsByName.keys()].join(', ')}`);
      return;
    }
    const parsed = parseToolArguments(tool, call.arguments);
    if (parsed.ok) planned.push({ callIndex, tool, args: parsed.value, rawArgs: parsed.raw });
    else invalid.set(callIndex, parsed.message);
  });
  if (invalid.size > 0 && context.state.invalidArgumentSteps >= 1) {
    const [callIndex, message] = [...invalid][0]!;
    return stop(
      {
        status: 'failed',
        stopReason: 'invalid_tool_arguments',
        error: new InvalidToolArgumentsError({
          runId: run.runId,
          message: `the model sent invalid arguments to "${turn.toolCalls[callIndex]!.name}" again after a tool error: ${message}`,
          details: { step, tool: turn.toolCalls[callIndex]!.name, issues: message },
        }),
      },
      { invalidCalls: invalid.size },
    );
  }

  const counted = countCalls(
    context.state.loop,
    planned.map((call) => ({ name: call.tool.name, args: call.rawArgs })),
    limits.maxRepeatedToolCalls,
  );
  if (counted.repeated) {
    return stop({
      status: 'failed',
      stopReason: 'loop_detected',
      error: new AgentLoopDetectedError({
        runId: run.runId,
        message: `the model asked for "${counted.repeated.name}" with the same arguments ${counted.repeated.times} times`,
        details: { step, tool: counted.repeated.name, times: counted.repeated.times },
      }),
    });
  }

  const completed = await executeCalls(planned, {
    store,
    runId: run.runId,
    tenantId: run.tenantId,
    step,
    signal,
    now: context.now,
  });
  const byIndex = new Map(planned.map((call, position) => [call.callIndex, completed[position]!]));
  const results: JsonValue[] = [];
  let awaiting: { prompt: string; data?: JsonValue } | undefined;
  turn.toolCalls.forEach((call, callIndex) => {
    const message = invalid.get(callIndex);
    if (message !== undefined) {
      messages.push(toolMessage(call, { error: 'INVALID_TOOL_ARGUMENTS', message }));
      return;
    }
    const { record } = byIndex.get(callIndex)!;
    if (record.outcome === 'ok' && isAwaitInput(record.result) && awaiting === undefined) {
      awaiting = {
        prompt: record.result.prompt,
        ...(record.result.data === undefined ? {} : { data: record.result.data }),
      };
      pending = { toolCallId: call.id, toolName: call.name };
      return;
    }
    results.push(record.result);
    messages.push(toolMessage(call, record.outcome === 'ok' ? record.result : { error: record.result }));
  });
  const progress = recordResults(counted.state, results, limits.maxStepsWithoutProgress);
  const state: AgentState = {
    kind: 'agent',
    messages,
    loop: progress.state,
    invalidArgumentSteps: invalid.size > 0 ? context.state.invalidArgumentSteps + 1 : 0,
    pending,
  };
  const stepSummary: JsonObject = {
    ...summary,
    toolCalls: turn.toolCalls.map((call, callIndex) => {
      const done = byIndex.get(callIndex);
      return {
        name: call.name,
        outcome: done ? done.record.outcome : 'invalid_arguments',
        replayed: done?.replayed ?? false,
        idempotencyKey: done?.record.idempotencyKey ?? null,
      };
    }),
  };
  const executed = planned.length;
  if (awaiting) {
    return outcome({
      ...common,
      toolCalls: executed,
      state: toJsonState(state),
      summary: { ...stepSummary, paused: true },
      end: { status: 'paused', awaiting },
    });
  }
  if (progress.stalled) {
    return outcome({
      ...common,
      toolCalls: executed,
      state: toJsonState(state),
      summary: { ...stepSummary, stopped: 'no_progress' },
      end: {
        status: 'failed',
        stopReason: 'no_progress',
        error: new AgentLoopDetectedError({
          runId: run.runId,
          message: `no new information in ${progress.state.stepsWithoutProgress} steps in a row`,
          details: { step, stepsWithoutProgress: progress.state.stepsWithoutProgress },
        }),
      },
    });
  }
  return outcome({ ...common, toolCalls: executed, state: toJsonState(state), summary: stepSummary });
}

function toJsonState(state: AgentState): JsonValue {
  return JSON.parse(JSON.stringify(state)) as JsonValue;
}
