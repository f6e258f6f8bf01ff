import Anthropic from '@anthropic-ai/sdk';
import {
  abortError,
  ContextWindowExceededError,
  errorFromStatus,
  LlmGatewayError,
  ProviderResponseInvalidError,
  ProviderTimeoutError,
  ProviderUnavailableError,
  renderContext,
  type ChatDelta,
  type ChatMessage,
  type ChatRequest,
  type ChatResult,
  type FinishReason,
  type LlmProvider,
  type ProviderCallOptions,
  type TokenUsage,
  type ToolCall,
} from '../../internal';
import { portableToolCallId } from '../../util/tool-call-id';

export interface AnthropicLlmProviderOptions {
  readonly apiKey: string;
  /** Defaults to the SDK's (`https://api.anthropic.com`); set it for a proxy or a local test server. */
  readonly baseUrl?: string;
  /** Defaults to `anthropic`. */
  readonly name?: string;
  /** `max_tokens` is mandatory in the Messages API: used when the request gives none. Default 1,024. */
  readonly defaultMaxTokens?: number;
}

// The SDK's own types stay inside this file; these are the few shapes the mapping reads.
type WireBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: 'tool_result'; tool_use_id: string; content: string };
type WireMessage = { role: 'user' | 'assistant'; content: string | WireBlock[] };
interface WireUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
}

function toUsage(usage: WireUsage | undefined, outputTokens?: number): TokenUsage {
  const cached = usage?.cache_read_input_tokens ?? 0;
  const written = usage?.cache_creation_input_tokens ?? 0;
  return {
    promptTokens: (usage?.input_tokens ?? 0) + cached + written,
    completionTokens: outputTokens ?? usage?.output_tokens ?? 0,
    cachedTokens: cached,
    ...(written > 0 ? { cacheWriteTokens: written } : {}),
  };
}

function toFinishReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'end_turn':
    case 'stop_sequence':
    case null:
    case undefined:
      return 'stop';
    case 'max_tokens':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      return 'other';
  }
}

function parseArguments(text: string): unknown {
  try {
    return JSON.parse(text || '{}');
  } catch {
    return { raw: text };
  }
}

/** Messages API shape: system apart, strict user/assistant alternation, tool results as user blocks. */
function toWire(request: ChatRequest): { system: string | undefined; messages: WireMessage[] } {
  const system: string[] = [];
  const messages: WireMessage[] = [];
  const push = (role: 'user' | 'assistant', blocks: WireBlock[]): void => {
    const previous = messages[messages.length - 1];
    if (previous && previous.role === role) {
      const existing: WireBlock[] =
        typeof previous.content === 'string' ? [{ type: 'text', text: previous.content }] : previous.content;
      previous.content = [...existing, ...blocks];
    } else {
      messages.push({ role, content: blocks });
    }
  };
  for (const message of request.messages as ChatMessage[]) {
    switch (message.role) {
      case 'system':
        system.push(message.content);
        break;
      case 'user':
        push('user', [{ type: 'text', text: message.content }]);
        break;
      case 'assistant': {
        const blocks: WireBlock[] = message.content ? [{ type: 'text', text: message.content }] : [];
        for (const call of message.toolCalls ?? []) {
          blocks.push({
            type: 'tool_use',
            id: portableToolCallId(call.id),
            name: call.name,
            input: parseArguments(call.arguments),
          });
        }
        push('assistant', blocks);
        break;
      }
      case 'tool':
        push('user', [
          {
            type: 'tool_result',
            tool_use_id: portableToolCallId(message.toolCallId),
            content: message.content,
          },
        ]);
        break;
    }
  }
  if (request.context && request.context.length > 0) system.push(renderContext(request.context));
  const format = request.responseFormat;
  if (format?.type === 'json') system.push('Answer with one JSON object and nothing else.');
  if (format?.type === 'json_schema') {
    system.push(
      `Answer with one JSON object matching this JSON Schema, and nothing else:\n${JSON.stringify(format.schema)}`,
    );
  }
  return { system: system.length > 0 ? system.join('\n\n') : undefined, messages };
}

/**
 * A provider for Anthropic's Messages API through the official `@anthropic-ai/sdk` client (its
 * retries off: the gateway owns retry and fallback). JSON response formats are asked for in the
 * system prompt (the Messages API has no JSON mode); `seed` is not supported by the API and ignored.
 */
export class AnthropicLlmProvider implements LlmProvider {
  readonly name: string;
  private readonly client: Anthropic;
  private readonly defaultMaxTokens: number;

  constructor(options: AnthropicLlmProviderOptions) {
    this.name = options.name ?? 'anthropic';
    this.defaultMaxTokens = options.defaultMaxTokens ?? 1_024;
    this.client = new Anthropic({ apiKey: options.apiKey, baseURL: options.baseUrl ?? null, maxRetries: 0 });
  }

  async chat(request: ChatRequest, options?: ProviderCallOptions): Promise<ChatResult> {
    if (options?.signal?.aborted) throw abortError(options.signal, this.name);
    let message;
    try {
      message = await this.client.messages.create({ ...this.params(request), stream: false } as never, {
        signal: options?.signal,
      });
    } catch (error) {
      throw this.mapError(error, options?.signal);
    }
    const reply = message as unknown as {
      content?: unknown;
      model?: string;
      stop_reason?: string | null;
      usage?: WireUsage;
    };
    if (!Array.isArray(reply.content)) {
      throw new ProviderResponseInvalidError({
        message: 'the reply has no content blocks',
        provider: this.name,
      });
    }
    let content = '';
    const toolCalls: ToolCall[] = [];
    for (const block of reply.content as Array<{
      type: string;
      text?: string;
      id?: string;
      name?: string;
      input?: unknown;
    }>) {
      if (block.type === 'text') content += block.text ?? '';
      else if (block.type === 'tool_use') {
        toolCalls.push({
          id: block.id ?? '',
          name: block.name ?? '',
          arguments: JSON.stringify(block.input ?? {}),
        });
      }
    }
    return {
      content,
      toolCalls,
      finishReason: toFinishReason(reply.stop_reason),
      usage: toUsage(reply.usage),
      model: reply.model ?? request.model,
      provider: this.name,
    };
  }

  async *stream(request: ChatRequest, options?: ProviderCallOptions): AsyncIterable<ChatDelta> {
    if (options?.signal?.aborted) throw abortError(options.signal, this.name);
    let events: AsyncIterable<unknown>;
    try {
      events = (await this.client.messages.create({ ...this.params(request), stream: true } as never, {
        signal: options?.signal,
      })) as unknown as AsyncIterable<unknown>;
    } catch (error) {
      throw this.mapError(error, options?.signal);
    }
    let startUsage: WireUsage | undefined;
    let outputTokens: number | undefined;
    let finishReason: FinishReason = 'stop';
    let model = request.model;
    // Anthropic numbers content blocks; tool calls are numbered among themselves for the port.
    const toolIndexByBlock = new Map<number, number>();
    let stopped = false;
    try {
      for await (const raw of events) {
        const event = raw as {
          type: string;
          index?: number;
          message?: { model?: string; usage?: WireUsage };
          content_block?: { type: string; id?: string; name?: string };
          delta?: { type?: string; text?: string; partial_json?: string; stop_reason?: string | null };
          usage?: { output_tokens?: number };
        };
        switch (event.type) {
          case 'message_start':
            startUsage = event.message?.usage;
            model = event.message?.model ?? model;
            break;
          case 'content_block_start':
            if (event.content_block?.type === 'tool_use') {
              const index = toolIndexByBlock.size;
              toolIndexByBlock.set(event.index ?? 0, index);
              yield {
                type: 'tool_call',
                index,
                id: event.content_block.id,
                name: event.content_block.name,
                argumentsDelta: '',
              };
            }
            break;
          case 'content_block_delta':
            if (event.delta?.type === 'text_delta' && event.delta.text)
              yield { type: 'text', text: event.delta.text };
            else if (event.delta?.type === 'input_json_delta') {
              yield {
                type: 'tool_call',
                index: toolIndexByBlock.get(event.index ?? 0) ?? 0,
                argumentsDelta: event.delta.partial_json ?? '',
              };
            }
            break;
          case 'message_delta':
            finishReason = toFinishReason(event.delta?.stop_reason);
            outputTokens = event.usage?.output_tokens ?? outputTokens;
            break;
          case 'message_stop':
            stopped = true;
            break;
          default:
            break;
        }
      }
    } catch (error) {
      throw this.mapError(error, options?.signal);
    }
    if (!stopped)
      throw new ProviderResponseInvalidError({
        message: 'the stream ended without message_stop',
        provider: this.name,
      });
    yield { type: 'done', usage: toUsage(startUsage, outputTokens), finishReason, model };
  }

  private params(request: ChatRequest): Record<string, unknown> {
    const { system, messages } = toWire(request);
    const params: Record<string, unknown> = {
      model: request.model,
      max_tokens: request.maxTokens ?? this.defaultMaxTokens,
      messages,
    };
    if (system !== undefined) params.system = system;
    if (request.temperature !== undefined) params.temperature = Math.min(1, request.temperature);
    if (request.stop && request.stop.length > 0) params.stop_sequences = request.stop;
    if (request.tools && request.tools.length > 0) {
      params.tools = request.tools.map((tool) => ({
        name: tool.name,
        description: tool.description,
        input_schema: tool.parameters,
      }));
    }
    const choice = request.toolChoice;
    if (choice !== undefined) {
      params.tool_choice =
        choice === 'auto'
          ? { type: 'auto' }
          : choice === 'required'
            ? { type: 'any' }
            : choice === 'none'
              ? { type: 'none' }
              : { type: 'tool', name: choice.name };
    }
    return params;
  }

  private mapError(error: unknown, signal: AbortSignal | undefined): LlmGatewayError {
    if (LlmGatewayError.isInstance(error)) return error;
    if (signal?.aborted || error instanceof Anthropic.APIUserAbortError) {
      return signal
        ? abortError(signal, this.name)
        : new ProviderTimeoutError({ message: 'aborted', provider: this.name, cause: error });
    }
    if (error instanceof Anthropic.APIConnectionTimeoutError) {
      return new ProviderTimeoutError({
        message: 'the Anthropic API timed out',
        provider: this.name,
        cause: error,
      });
    }
    if (error instanceof Anthropic.APIConnectionError) {
      return new ProviderUnavailableError({
        message: 'cannot reach the Anthropic API',
        provider: this.name,
        cause: error,
      });
    }
    if (error instanceof Anthropic.APIError && typeof error.status === 'number') {
      const headers = error.headers;
      const message = error.message;
      const mapped = errorFromStatus({
        provider: this.name,
        status: error.status,
        message,
        header: (name) => headers?.get(name) ?? undefined,
        contextWindowExceeded: error.status === 400 && /prompt is too long|context window/i.test(message),
      });
      return mapped.code === 'CONTEXT_WINDOW_EXCEEDED'
        ? new ContextWindowExceededError({ message, provider: this.name, cause: error })
        : mapped;
    }
    return new ProviderResponseInvalidError({
      message: 'the Anthropic reply could not be read',
      provider: this.name,
      cause: error,
    });
  }
}
