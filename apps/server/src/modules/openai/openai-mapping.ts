import {
  type ChatMessage,
  type Citation,
  type FinishReason,
  type ResponseFormat,
  type ToolCall,
  type ToolChoice,
  type ToolDefinition,
} from '@ai-scale/llm-gateway';
import { type ChatCompletionRequest } from './openai.types';

/** Wire ↔ gateway mapping of the OpenAI-compatible API: pure functions, no I/O. */

export function toGatewayMessages(messages: ChatCompletionRequest['messages']): ChatMessage[] {
  return messages.map((message): ChatMessage => {
    switch (message.role) {
      case 'system':
      case 'developer':
        return { role: 'system', content: message.content };
      case 'user':
        return { role: 'user', content: message.content };
      case 'assistant':
        return {
          role: 'assistant',
          content: message.content ?? '',
          ...(message.tool_calls && message.tool_calls.length > 0
            ? {
                toolCalls: message.tool_calls.map((call) => ({
                  id: call.id,
                  name: call.function.name,
                  arguments: call.function.arguments,
                })),
              }
            : {}),
        };
      case 'tool':
        return { role: 'tool', toolCallId: message.tool_call_id, content: message.content };
    }
  });
}

export function toGatewayTools(tools: ChatCompletionRequest['tools']): ToolDefinition[] | undefined {
  if (!tools || tools.length === 0) return undefined;
  return tools.map((tool) => ({
    name: tool.function.name,
    description: tool.function.description ?? '',
    parameters: tool.function.parameters ?? { type: 'object', properties: {} },
  }));
}

export function toGatewayToolChoice(choice: ChatCompletionRequest['tool_choice']): ToolChoice | undefined {
  if (choice === undefined) return undefined;
  return typeof choice === 'string' ? choice : { name: choice.function.name };
}

export function toGatewayResponseFormat(
  format: ChatCompletionRequest['response_format'],
): ResponseFormat | undefined {
  if (!format) return undefined;
  switch (format.type) {
    case 'text':
      return { type: 'text' };
    case 'json_object':
      return { type: 'json' };
    case 'json_schema':
      return {
        type: 'json_schema',
        name: format.json_schema.name,
        schema: format.json_schema.schema ?? {},
        ...(format.json_schema.strict ? { strict: true } : {}),
      };
  }
}

export function stopSequences(stop: ChatCompletionRequest['stop']): string[] | undefined {
  if (stop === undefined || stop === null) return undefined;
  return typeof stop === 'string' ? [stop] : stop;
}

export type OpenAiFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

export function toOpenAiFinishReason(reason: FinishReason): OpenAiFinishReason {
  return reason === 'other' ? 'stop' : reason;
}

export interface OpenAiToolCall {
  readonly id: string;
  readonly type: 'function';
  readonly function: { readonly name: string; readonly arguments: string };
}

export function toOpenAiToolCalls(calls: readonly ToolCall[]): OpenAiToolCall[] {
  return calls.map((call) => ({
    id: call.id,
    type: 'function',
    function: { name: call.name, arguments: call.arguments },
  }));
}

export interface OpenAiUsage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens: number;
  readonly prompt_tokens_details: { readonly cached_tokens: number };
}

export function toOpenAiUsage(usage: {
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
}): OpenAiUsage {
  return {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.promptTokens + usage.completionTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedTokens },
  };
}

/** What ai-scale adds to each completion (`ai_scale`): cost, cache, routing, and RAG citations. */
export interface AiScaleCompletionInfo {
  readonly request_id: string;
  readonly cost_usd: number;
  readonly cache: 'exact' | 'semantic' | null;
  readonly tier: 'small' | 'large' | null;
  readonly fallbacks: number;
  readonly citations: ReadonlyArray<{ readonly document_id: string; readonly chunk_id: string }>;
}

export function toOpenAiCitations(
  citations: readonly Citation[] | undefined,
): AiScaleCompletionInfo['citations'] {
  return (citations ?? []).map((citation) => ({
    document_id: citation.documentId,
    chunk_id: citation.chunkId,
  }));
}

/** Float32 little-endian bytes in base64: the `encoding_format: "base64"` the OpenAI SDKs ask for by default. */
export function embeddingToBase64(vector: readonly number[]): string {
  const floats = Float32Array.from(vector);
  return Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength).toString('base64');
}
