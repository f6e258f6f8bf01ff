import { ProviderUnavailableError } from '../../errors/provider-unavailable.error';
import type {
  ChatDelta,
  ChatRequest,
  ChatResult,
  LlmProvider,
  ProviderCallOptions,
  TokenUsage,
} from '../../ports/llm-provider';
import { lastUserText } from '../../prompt/render-context';
import { ApproximateTokenCounter, countPromptTokens } from '../../tokens/token-counter';
import { abortError, sleep } from '../../util/abort';
import { forcedTool, splitForStreaming } from '../../util/forced-tool';

export interface FakeLlmProviderOptions {
  /** Defaults to `fake`. */
  readonly name?: string;
  /** The answer: a fixed string or a function of the request. Default: `fake answer: <question>`. */
  readonly respond?: string | ((request: ChatRequest) => string);
  /** Simulated latency per call; 0 (the default) answers without a timer. */
  readonly latencyMs?: number | (() => number);
  /** Scripted outcomes, consumed one per call: an error to throw, or `null` for a normal answer. */
  readonly script?: ReadonlyArray<Error | null>;
  /** Share of calls (after the script) that fail, drawn from a seeded generator: deterministic per seed. */
  readonly failureRate?: number;
  readonly seed?: number;
  /** The error a random failure throws. Default `ProviderUnavailableError`. */
  readonly failWith?: () => Error;
}

/** Mulberry32: a tiny seeded generator, so fault patterns repeat exactly between runs. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const counter = new ApproximateTokenCounter();

/**
 * A scripted provider for tests and benchmarks: deterministic answers, optional latency, scripted or
 * seeded random failures, forced tool calls, and usage estimated at 4 characters per token.
 */
export class FakeLlmProvider implements LlmProvider {
  readonly name: string;
  /** Calls received (`chat` and `stream`), including failed ones. */
  calls = 0;
  /** The last request received, to assert on what the gateway sent. */
  lastRequest: ChatRequest | undefined;
  /** Scripted outcomes still to play; tests may push more. */
  readonly script: Array<Error | null>;
  private readonly random: () => number;

  constructor(private readonly options: FakeLlmProviderOptions = {}) {
    this.name = options.name ?? 'fake';
    this.script = [...(options.script ?? [])];
    this.random = seededRandom(options.seed ?? 42);
  }

  async chat(request: ChatRequest, options?: ProviderCallOptions): Promise<ChatResult> {
    await this.begin(request, options?.signal);
    return this.answer(request);
  }

  async *stream(request: ChatRequest, options?: ProviderCallOptions): AsyncIterable<ChatDelta> {
    await this.begin(request, options?.signal);
    const result = this.answer(request);
    if (result.toolCalls.length > 0) {
      for (const [index, call] of result.toolCalls.entries()) {
        yield { type: 'tool_call', index, id: call.id, name: call.name, argumentsDelta: call.arguments };
      }
    } else {
      for (const piece of splitForStreaming(result.content)) {
        if (options?.signal?.aborted) throw abortError(options.signal, this.name);
        yield { type: 'text', text: piece };
      }
    }
    yield { type: 'done', usage: result.usage, finishReason: result.finishReason, model: result.model };
  }

  private begin(request: ChatRequest, signal: AbortSignal | undefined): Promise<void> | void {
    this.calls++;
    this.lastRequest = request;
    if (signal?.aborted) throw abortError(signal, this.name);
    const scripted = this.script.length > 0 ? this.script.shift() : null;
    const latency =
      typeof this.options.latencyMs === 'function' ? this.options.latencyMs() : (this.options.latencyMs ?? 0);
    const failure =
      scripted ??
      (this.options.failureRate && this.random() < this.options.failureRate
        ? (this.options.failWith?.() ??
          new ProviderUnavailableError({ message: 'injected failure', provider: this.name }))
        : null);
    if (latency > 0) {
      return sleep(latency, signal).then(() => {
        if (failure) throw failure;
      });
    }
    if (failure) throw failure;
  }

  private answer(request: ChatRequest): ChatResult {
    const tool = forcedTool(request.tools, request.toolChoice);
    const question = lastUserText(request.messages);
    const content = tool
      ? ''
      : typeof this.options.respond === 'function'
        ? this.options.respond(request)
        : (this.options.respond ?? `fake answer: ${question}`);
    const toolCalls = tool
      ? [{ id: `call_${this.calls}`, name: tool.name, arguments: JSON.stringify({ input: question }) }]
      : [];
    const usage: TokenUsage = {
      promptTokens: countPromptTokens(counter, request.messages, request.context, request.tools),
      completionTokens: tool ? counter.count(toolCalls[0]?.arguments ?? '') : counter.count(content),
      cachedTokens: 0,
    };
    return {
      content,
      toolCalls,
      finishReason: tool ? 'tool_calls' : 'stop',
      usage,
      model: request.model,
      provider: this.name,
    };
  }
}
