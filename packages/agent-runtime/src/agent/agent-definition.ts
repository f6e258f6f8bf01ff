import type { z } from 'zod';
import { InvalidAgentDefinitionError } from '../errors';
import type { AgentMessage, AgentModel } from '../ports/agent-model';
import type { JsonValue } from '../ports/json';
import type { AnyTool } from '../ports/tool';

/** Bounds on one run; every one of them ends the run with a typed stop reason when reached. */
export interface RunLimits {
  /** Steps (model turns) per run. Default 12. */
  readonly maxSteps: number;
  /** Tool calls per run, over all steps. Default 30. */
  readonly maxToolCalls: number;
  /** Wall-clock time from `startRun` to the end, across crashes, pauses excluded not. Default 5 min. */
  readonly deadlineMs: number;
  /** Input + output tokens per run (from the gateway's usage). Default unlimited. */
  readonly maxTokens: number;
  /** Cost per run in USD (the gateway's `costUsd`). Default unlimited. */
  readonly maxCostUsd: number;
  /** The same tool with the same arguments may be asked for at most this many times minus one. Default 3. */
  readonly maxRepeatedToolCalls: number;
  /** Steps in a row whose tool results are all already known end the run. Default 3. */
  readonly maxStepsWithoutProgress: number;
}

export const DEFAULT_LIMITS: RunLimits = Object.freeze({
  maxSteps: 12,
  maxToolCalls: 30,
  deadlineMs: 5 * 60_000,
  maxTokens: Number.POSITIVE_INFINITY,
  maxCostUsd: Number.POSITIVE_INFINITY,
  maxRepeatedToolCalls: 3,
  maxStepsWithoutProgress: 3,
});

/**
 * A free agent: a model (and a fallback) looping over tools until it answers. Everything that
 * decides what a run does is pinned here and recorded on each run (model ids, prompt version,
 * temperature, seed, tool versions), so two runs of one definition can be compared.
 */
export interface AgentDefinition<TInput = unknown> {
  readonly kind?: 'agent';
  /** `^[a-z0-9_.-]{1,64}$`: the name runs are started with. */
  readonly name: string;
  readonly description?: string;
  /** Bump it whenever `systemPrompt` or `buildMessages` changes. */
  readonly promptVersion: string;
  readonly systemPrompt: string;
  readonly model: AgentModel;
  /** Tried for a step when the primary model fails (after the gateway's own retries and fallbacks). */
  readonly fallbackModel?: AgentModel;
  /** Default 0. */
  readonly temperature?: number;
  readonly seed?: number;
  readonly tools: readonly AnyTool[];
  readonly limits?: Partial<RunLimits>;
  /** Validates `startRun`'s input (a bad input is rejected before anything is stored). */
  readonly input: z.ZodType<TInput>;
  /** The first user message; default: `input.question` when it is a string, else the input as JSON. */
  readonly userMessage?: (input: TInput) => string;
  /** Turns the final model turn into the run's output; default `{ answer, citations }`. */
  readonly output?: (turn: {
    content: string;
    citations: readonly { documentId: string; chunkId: string }[];
  }) => JsonValue;
}

const NAME = /^[a-z0-9_.-]{1,64}$/;

export function checkName(name: string): void {
  if (!NAME.test(name)) {
    throw new InvalidAgentDefinitionError({ message: `name "${name}" must match ${NAME.source}` });
  }
}

export function defineAgent<TInput>(definition: AgentDefinition<TInput>): AgentDefinition<TInput> {
  checkName(definition.name);
  const names = new Set<string>();
  for (const tool of definition.tools) {
    if (names.has(tool.name)) {
      throw new InvalidAgentDefinitionError({
        message: `agent "${definition.name}" has two tools named "${tool.name}"`,
      });
    }
    names.add(tool.name);
  }
  const limits = resolveLimits(definition.limits);
  for (const [key, value] of Object.entries(limits)) {
    if (!(typeof value === 'number' && value > 0)) {
      throw new InvalidAgentDefinitionError({
        message: `agent "${definition.name}" limit ${key} must be positive`,
      });
    }
  }
  return definition;
}

export function resolveLimits(limits: Partial<RunLimits> | undefined): RunLimits {
  return { ...DEFAULT_LIMITS, ...limits };
}

export function initialMessages<TInput>(definition: AgentDefinition<TInput>, input: TInput): AgentMessage[] {
  const question = (input as { question?: unknown } | null)?.question;
  const user =
    definition.userMessage?.(input) ?? (typeof question === 'string' ? question : JSON.stringify(input));
  return [
    { role: 'system', content: definition.systemPrompt },
    { role: 'user', content: user },
  ];
}
