import type { GatewayChatRequest, GatewayChatResult, ModelTier } from '@ai-scale/llm-gateway';
import type { AgentModel, ModelTurn, ModelTurnRequest } from '../ports/agent-model';

/** The one gateway method the runtime needs; `LlmGateway` from `@ai-scale/llm-gateway` satisfies it. */
export interface ChatGateway {
  chat(request: GatewayChatRequest): Promise<GatewayChatResult>;
}

export interface GatewayAgentModelOptions {
  /** An explicit model id of the gateway's catalogue; wins over `tier`. */
  readonly model?: string;
  readonly tier?: ModelTier;
  readonly maxTokens?: number;
  /** Recorded on runs (`versions.model`). Default: `model`, else `tier:<tier>`, else `gateway`. */
  readonly id?: string;
  /** Skip the gateway's response cache (agents' turns depend on tool results; caching them rarely pays). Default true. */
  readonly noCache?: boolean;
}

/**
 * A tool-calling model through the gateway: every turn goes through its validation, budget,
 * routing, retries, fallbacks and usage ledger (the ledger entry's `requestId` is
 * `${runId}:${step}:${id}`), and the turn's usage and cost count against the run's budget: with
 * `request.runBudget` the gateway reserves each turn's worst case against `run:<runId>` before any
 * provider call (atomic across replicas with Redis reservations), so parallel turns never overshoot it.
 */
export function gatewayAgentModel(gateway: ChatGateway, options: GatewayAgentModelOptions = {}): AgentModel {
  const id = options.id ?? options.model ?? (options.tier ? `tier:${options.tier}` : 'gateway');
  return {
    id,
    async next(request: ModelTurnRequest): Promise<ModelTurn> {
      const result = await gateway.chat({
        tenantId: request.tenantId,
        requestId: `${request.runId}:${request.step}:${id}`,
        ...(options.model ? { model: options.model } : {}),
        ...(options.tier ? { tier: options.tier } : {}),
        messages: request.messages,
        ...(request.tools.length > 0 ? { tools: request.tools, toolChoice: 'auto' as const } : {}),
        temperature: request.temperature,
        ...(request.seed === undefined ? {} : { seed: request.seed }),
        ...(options.maxTokens ? { maxTokens: options.maxTokens } : {}),
        noCache: options.noCache ?? true,
        ...(request.runBudget
          ? {
              budgets: [
                {
                  key: `run:${request.runId}`,
                  limitUsd: request.runBudget.limitUsd,
                  spentUsd: request.runBudget.spentUsd,
                },
              ],
            }
          : {}),
        signal: request.signal,
      });
      return turnFromResult(result);
    },
  };
}

export function turnFromResult(result: GatewayChatResult): ModelTurn {
  return {
    content: result.content,
    toolCalls: result.toolCalls.map((call) => ({ id: call.id, name: call.name, arguments: call.arguments })),
    usage: {
      inputTokens: result.usage.promptTokens,
      outputTokens: result.usage.completionTokens,
      costUsd: result.costUsd,
    },
    model: result.model,
    ...(result.citations ? { citations: result.citations.map((citation) => ({ ...citation })) } : {}),
  };
}
