import type { ContextPassage, ModelTier } from '@ai-scale/llm-gateway';
import type { AgentMessage, AgentModel, ModelTurn, ModelTurnRequest } from '../../ports/agent-model';
import { turnFromResult, type ChatGateway } from '../../models/gateway-agent-model';
import { READ_TOOL, SEARCH_TOOL, type ReadToolOutput, type SearchToolOutput } from './research-tools';

export interface ResearchPlannerOptions {
  /** Answers the question from the passages found (the embedded default: the extractive provider). */
  readonly gateway: ChatGateway;
  readonly answerModel?: string;
  readonly answerTier?: ModelTier;
  /** Passages asked from the search. Default 5. */
  readonly topK?: number;
  /** Recorded as the run's model. Default `research-planner`. */
  readonly id?: string;
}

export const NOTHING_FOUND = 'I found nothing in the knowledge base about this question.';

const NO_USAGE = { inputTokens: 0, outputTokens: 0, costUsd: 0 };

function toolResult<T>(
  messages: readonly AgentMessage[],
  name: string,
): { ok: true; value: T } | { ok: false } | undefined {
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index]!;
    if (message.role !== 'tool' || message.name !== name) continue;
    try {
      const value = JSON.parse(message.content) as T & { error?: unknown };
      return value !== null && typeof value === 'object' && 'error' in value
        ? { ok: false }
        : { ok: true, value };
    } catch {
      return { ok: false };
    }
  }
  return undefined;
}

function question(messages: readonly AgentMessage[]): string {
  const user = messages.find((message) => message.role === 'user');
  return user?.content ?? '';
}

/**
 * The research agent's deterministic planner, for when no tool-calling model is configured:
 * search the knowledge base for the question → read the top document → answer through the
 * gateway (the extractive provider by default) from the document and the passages, with citations.
 * The same question over the same knowledge base always takes the same steps.
 */
export function researchPlanner(options: ResearchPlannerOptions): AgentModel {
  const id = options.id ?? 'research-planner';
  const call = (request: ModelTurnRequest, name: string, args: unknown): ModelTurn => ({
    content: '',
    toolCalls: [{ id: `plan_${request.step}_${name}`, name, arguments: JSON.stringify(args) }],
    usage: NO_USAGE,
    model: id,
  });
  return {
    id,
    async next(request: ModelTurnRequest): Promise<ModelTurn> {
      const asked = question(request.messages);
      const search = toolResult<SearchToolOutput>(request.messages, SEARCH_TOOL);
      if (search === undefined) return call(request, SEARCH_TOOL, { query: asked, topK: options.topK ?? 5 });
      const hits = search.ok ? search.value.results : [];
      if (hits.length === 0) {
        return { content: NOTHING_FOUND, toolCalls: [], usage: NO_USAGE, model: id, citations: [] };
      }
      const read = toolResult<ReadToolOutput>(request.messages, READ_TOOL);
      if (read === undefined) return call(request, READ_TOOL, { documentId: hits[0]!.documentId });

      const passages: ContextPassage[] = [];
      if (read.ok && read.value.found) {
        passages.push({
          id: `${read.value.documentId}#document`,
          documentId: read.value.documentId,
          chunkId: 'document',
          text: read.value.text,
        });
      }
      hits.forEach((hit, index) =>
        passages.push({
          id: `${hit.documentId}#${hit.chunkId}`,
          documentId: hit.documentId,
          chunkId: hit.chunkId,
          text: hit.text,
          score: hit.score ?? hits.length - index,
        }),
      );
      const result = await options.gateway.chat({
        tenantId: request.tenantId,
        requestId: `${request.runId}:${request.step}:${id}`,
        ...(options.answerModel ? { model: options.answerModel } : {}),
        ...(options.answerTier ? { tier: options.answerTier } : {}),
        messages: [
          { role: 'system', content: 'Answer the question from the passages only, and cite them.' },
          { role: 'user', content: asked },
        ],
        context: passages,
        temperature: request.temperature,
        ...(request.seed === undefined ? {} : { seed: request.seed }),
        signal: request.signal,
      });
      return turnFromResult(result);
    },
  };
}
