import type { JsonSchemaObject } from './json';

/**
 * The messages of an agent's conversation. The shapes are the same as `@ai-scale/llm-gateway`'s
 * `ChatMessage`, so they pass through to the gateway unchanged, but are declared here so that a
 * checkpoint never depends on another package's types.
 */
export interface AgentToolCall {
  readonly id: string;
  readonly name: string;
  /** The raw JSON text of the arguments, as the model produced it (it may be invalid). */
  readonly arguments: string;
}

export type AgentMessage =
  | { readonly role: 'system'; readonly content: string }
  | { readonly role: 'user'; readonly content: string }
  | { readonly role: 'assistant'; readonly content: string; readonly toolCalls?: readonly AgentToolCall[] }
  | { readonly role: 'tool'; readonly toolCallId: string; readonly content: string; readonly name?: string };

/** What the model is told about a tool. */
export interface AgentToolSpec {
  readonly name: string;
  readonly description: string;
  readonly parameters: JsonSchemaObject;
}

export interface ModelTurnRequest {
  readonly runId: string;
  readonly tenantId: string;
  readonly step: number;
  readonly messages: readonly AgentMessage[];
  readonly tools: readonly AgentToolSpec[];
  /** Pinned by the agent definition: the same for every step of every run of one agent version. */
  readonly temperature: number;
  readonly seed: number | undefined;
  /** Aborted on the run's deadline. */
  readonly signal: AbortSignal;
  /**
   * The run's cost budget when it has one (`limits.maxCostUsd`): a model that can reserve cost
   * (`gatewayAgentModel`) reserves each turn's worst case against it, so concurrent turns of one run
   * (parallel branches, a step re-run by a second worker) cannot together spend past it. `spentUsd`
   * is what the run's checkpoint says it spent, to seed the reservation counter.
   */
  readonly runBudget?: { readonly limitUsd: number; readonly spentUsd: number };
}

export interface ModelTurn {
  readonly content: string;
  /** Empty for a final answer. */
  readonly toolCalls: readonly AgentToolCall[];
  readonly usage: { readonly inputTokens: number; readonly outputTokens: number; readonly costUsd: number };
  /** The model that answered (recorded on the run). */
  readonly model: string;
  /** Documents the answer cites, when the model knows (the extractive provider does). */
  readonly citations?: readonly { readonly documentId: string; readonly chunkId: string }[];
}

/**
 * One decision-maker of an agent: a tool-calling model through the gateway (`gatewayAgentModel`)
 * or a deterministic planner. `next` either asks for tool calls or gives the final answer; it
 * rejects when the model failed (the runtime then tries the agent's fallback model).
 */
export interface AgentModel {
  /** Recorded on the run (`versions.model`). */
  readonly id: string;
  next(request: ModelTurnRequest): Promise<ModelTurn>;
}
