import { z } from 'zod';
import { defineAgent, type AgentDefinition, type RunLimits } from '../../agent/agent-definition';
import type { AgentModel } from '../../ports/agent-model';
import { researchPlanner, type ResearchPlannerOptions } from './research-planner';
import { READ_TOOL, researchTools, SEARCH_TOOL, type ResearchToolOptions } from './research-tools';

export const RESEARCH_AGENT = 'research';

export const researchInput = z.object({ question: z.string().trim().min(1).max(2_000) });
export type ResearchInput = z.infer<typeof researchInput>;

export interface ResearchAgentOptions extends ResearchToolOptions, Omit<ResearchPlannerOptions, 'id'> {
  /** A tool-calling model (e.g. `gatewayAgentModel(gateway, { tier: 'large' })`). Default: the deterministic planner. */
  readonly model?: AgentModel;
  /** Default: the deterministic planner when `model` is given, none otherwise. */
  readonly fallbackModel?: AgentModel | null;
  readonly limits?: Partial<RunLimits>;
  readonly seed?: number;
}

export const RESEARCH_SYSTEM_PROMPT = [
  'You are a research assistant for a company knowledge base.',
  `Use ${SEARCH_TOOL} to find passages about the question, then ${READ_TOOL} on the most relevant document.`,
  'Answer only from what you read, cite documents as [documentId], and say so when the knowledge base has no answer.',
].join(' ');

/**
 * The demo agent `research` (input `{ question }`): search the knowledge base, read the top
 * document, answer with citations (`output: { answer, citations: [{ documentId, chunkId }] }`).
 * With no tool-calling model configured it runs on the deterministic planner, which answers through
 * the gateway (the extractive provider on the embedded defaults); with one, the planner is its fallback.
 */
export function researchAgent(options: ResearchAgentOptions): AgentDefinition<ResearchInput> {
  const planner = researchPlanner(options);
  const { search, read } = researchTools(options);
  return defineAgent({
    name: RESEARCH_AGENT,
    description: 'Searches the knowledge base, reads the best document and answers with citations.',
    promptVersion: 'research-v1',
    systemPrompt: RESEARCH_SYSTEM_PROMPT,
    model: options.model ?? planner,
    ...(options.model && options.fallbackModel !== null
      ? { fallbackModel: options.fallbackModel ?? planner }
      : {}),
    temperature: 0,
    seed: options.seed ?? 7,
    tools: [search, read],
    input: researchInput,
    limits: { maxSteps: 8, maxToolCalls: 12, deadlineMs: 60_000, ...options.limits },
  });
}
