/**
 * The `LlmProvider` port: one chat model endpoint (OpenAI-compatible, Anthropic, the embedded
 * extractive answerer, a fake). Every type here is plain data owned by this package: no SDK type
 * ever crosses the port.
 */

/** A JSON Schema document (draft 2020-12 subset), kept opaque: providers pass it through. */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** A tool call the model asked for. `arguments` is the raw JSON text the model produced. */
export interface ToolCall {
  readonly id: string;
  readonly name: string;
  readonly arguments: string;
}

export interface SystemMessage {
  readonly role: 'system';
  readonly content: string;
}

export interface UserMessage {
  readonly role: 'user';
  readonly content: string;
}

export interface AssistantMessage {
  readonly role: 'assistant';
  readonly content: string;
  /** Tool calls this assistant turn made; each is answered by a later `tool` message with the same id. */
  readonly toolCalls?: readonly ToolCall[];
}

export interface ToolMessage {
  readonly role: 'tool';
  /** The `ToolCall.id` this message answers. */
  readonly toolCallId: string;
  readonly content: string;
  readonly name?: string;
}

export type ChatMessage = SystemMessage | UserMessage | AssistantMessage | ToolMessage;
export type ChatRole = ChatMessage['role'];

export interface ToolDefinition {
  readonly name: string;
  readonly description: string;
  /** JSON Schema of the arguments object. */
  readonly parameters: JsonSchema;
}

export type ToolChoice = 'auto' | 'none' | 'required' | { readonly name: string };

export type ResponseFormat =
  | { readonly type: 'text' }
  | { readonly type: 'json' }
  | {
      readonly type: 'json_schema';
      readonly name: string;
      readonly schema: JsonSchema;
      readonly strict?: boolean;
    };

/**
 * A retrieved passage the answer should be grounded in. Providers receive the passages as part of
 * the prompt (model providers render them into the system prompt; the extractive provider answers
 * only from them) and may cite them by `documentId`/`chunkId`.
 */
export interface ContextPassage {
  readonly id: string;
  readonly documentId: string;
  readonly chunkId: string;
  readonly text: string;
  /** Retrieval relevance, higher is better; trimming drops the lowest first. */
  readonly score?: number;
}

/** What decides a model's answer, shared by the provider, gateway and cache requests. */
export interface ChatParameters {
  readonly messages: readonly ChatMessage[];
  readonly tools?: readonly ToolDefinition[];
  readonly toolChoice?: ToolChoice;
  readonly responseFormat?: ResponseFormat;
  readonly temperature?: number;
  readonly maxTokens?: number;
  readonly seed?: number;
  readonly stop?: readonly string[];
  readonly context?: readonly ContextPassage[];
}

export interface ChatRequest extends ChatParameters {
  /** The provider's own model id (`gpt-4o-mini`, `claude-3-5-haiku-latest`, …). */
  readonly model: string;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'other';

export interface TokenUsage {
  /** Input tokens billed, including `cachedTokens`. */
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** The part of `promptTokens` served from the provider's prompt cache (billed at the cached price). */
  readonly cachedTokens: number;
  /**
   * The part of `promptTokens` written to the provider's prompt cache (Anthropic `cache_control`:
   * billed at the cache-write price). Absent or 0 for providers that do not charge for writes.
   */
  readonly cacheWriteTokens?: number;
}

export interface Citation {
  readonly documentId: string;
  readonly chunkId: string;
}

export interface ChatResult {
  readonly content: string;
  readonly toolCalls: readonly ToolCall[];
  readonly finishReason: FinishReason;
  readonly usage: TokenUsage;
  /** The model that actually answered (a provider may resolve an alias). */
  readonly model: string;
  /** The provider's name (`LlmProvider.name`). */
  readonly provider: string;
  /** Passages of `ChatRequest.context` the answer relies on, when the provider knows (extractive does). */
  readonly citations?: readonly Citation[];
}

export type ChatDelta =
  | { readonly type: 'text'; readonly text: string }
  | {
      readonly type: 'tool_call';
      /** Position of the call in this turn; fragments with the same index belong to one call. */
      readonly index: number;
      readonly id?: string;
      readonly name?: string;
      /** A fragment of the JSON arguments text; concatenate fragments in order. */
      readonly argumentsDelta: string;
    }
  | {
      readonly type: 'done';
      /** What the provider reported; absent when it sent none (the gateway then bills counted tokens). */
      readonly usage?: TokenUsage;
      readonly finishReason: FinishReason;
      readonly model: string;
      readonly citations?: readonly Citation[];
    };

export interface ProviderCallOptions {
  /** Aborting rejects the call (or ends the stream) promptly with `ProviderTimeoutError` or the abort reason. */
  readonly signal?: AbortSignal;
}

/**
 * One chat model endpoint.
 *
 * Guarantees an adapter must honour (checked by `llmProviderContract`):
 * - `chat` resolves with the whole answer and exact usage, or rejects with an `LlmGatewayError`
 *   subclass: `ProviderRateLimitedError` (with `retryAfterMs` when the provider said so),
 *   `ProviderUnavailableError` (5xx, connection refused), `ProviderTimeoutError` (aborted or timed
 *   out), `ProviderResponseInvalidError` (the reply broke the wire format),
 *   `ContextWindowExceededError`, `InvalidLlmRequestError` (the provider rejected the request as bad).
 * - `stream` yields `text` and `tool_call` deltas in order and ends with exactly one `done` delta
 *   carrying usage; the concatenated text equals what `chat` would return for the same answer.
 *   Errors before the first delta are the same typed errors as `chat`.
 * - An aborted `signal` stops the work and releases the connection.
 * - Adapters never read `process.env` and never expose an SDK type.
 */
export interface LlmProvider {
  /** A stable name used in routing, metrics, breakers and the ledger (`openai`, `anthropic`, …). */
  readonly name: string;
  chat(request: ChatRequest, options?: ProviderCallOptions): Promise<ChatResult>;
  stream(request: ChatRequest, options?: ProviderCallOptions): AsyncIterable<ChatDelta>;
}
