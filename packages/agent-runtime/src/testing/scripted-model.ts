import type { AgentModel, ModelTurn, ModelTurnRequest } from '../ports/agent-model';

/** One turn of a scripted model: tool calls (arguments as an object, or raw text to test bad JSON) or an answer. */
export interface ScriptedTurn {
  readonly content?: string;
  readonly toolCalls?: readonly { readonly name: string; readonly arguments: unknown }[];
  readonly usage?: Partial<ModelTurn['usage']>;
  readonly citations?: ModelTurn['citations'];
}

/**
 * A deterministic `AgentModel` for tests: `script` decides each turn from the request (and the
 * 0-based number of calls so far); throwing from it makes the model fail; returning a promise that
 * never settles makes it hang (the run's deadline still ends the run).
 */
export function scriptedModel(
  id: string,
  script: (request: ModelTurnRequest, call: number) => ScriptedTurn | Promise<ScriptedTurn>,
): AgentModel & { readonly calls: ModelTurnRequest[] } {
  const calls: ModelTurnRequest[] = [];
  return {
    id,
    calls,
    async next(request: ModelTurnRequest): Promise<ModelTurn> {
      calls.push(request);
      const turn = await script(request, calls.length - 1);
      return {
        content: turn.content ?? '',
        toolCalls: (turn.toolCalls ?? []).map((call, index) => ({
          id: `call_${request.step}_${index}`,
          name: call.name,
          arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
        })),
        usage: { inputTokens: 0, outputTokens: 0, costUsd: 0, ...turn.usage },
        model: id,
        ...(turn.citations ? { citations: turn.citations } : {}),
      };
    },
  };
}
