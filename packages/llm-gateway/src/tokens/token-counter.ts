import type { Tiktoken, TiktokenBPE } from 'js-tiktoken/lite' with { 'resolution-mode': 'import' };
import { LRUCache } from 'lru-cache';
import type { ChatMessage, ContextPassage, ToolDefinition } from '../ports/llm-provider';

/** Counts tokens of text; the gateway uses it before every call (context-window check, trimming, TPM). */
export interface TokenCounter {
  count(text: string): number;
}

/**
 * js-tiktoken ships ESM type declarations but a CommonJS build (`require` condition): this package
 * compiles to CommonJS, so it loads the CommonJS build explicitly, once, on first use.
 */
function loadEncoder(): Tiktoken {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { Tiktoken: TiktokenClass } = require('js-tiktoken/lite') as {
    Tiktoken: new (ranks: TiktokenBPE) => Tiktoken;
  };
  const ranks = require('js-tiktoken/ranks/o200k_base') as TiktokenBPE;
  /* eslint-enable @typescript-eslint/no-require-imports */
  return new TiktokenClass(ranks);
}

/**
 * js-tiktoken with the `o200k_base` encoding (GPT-4o family), loaded from the package, offline.
 * For other vendors' models it is an estimate within a few percent, which is what a pre-flight
 * check needs; the billed figure always comes from the provider's reported usage.
 * Counts of repeated strings (system prompts, passages) are memoised in an LRU (lru-cache).
 */
export class TiktokenCounter implements TokenCounter {
  private encoder: Tiktoken | undefined;
  private readonly memo: LRUCache<string, number>;

  constructor(memoSize = 2_000) {
    this.memo = new LRUCache({ max: memoSize });
  }

  /** Loads the encoding now (~0.2–0.8 s) instead of on the first count that needs it. */
  warmUp(): this {
    this.encoder ??= loadEncoder();
    return this;
  }

  count(text: string): number {
    if (text.length === 0) return 0;
    const known = this.memo.get(text);
    if (known !== undefined) return known;
    this.encoder ??= loadEncoder();
    const tokens = this.encoder.encode(text).length;
    this.memo.set(text, tokens);
    return tokens;
  }
}

/** A cheap estimate (one token per 4 characters), for fakes and hot benchmarks. */
export class ApproximateTokenCounter implements TokenCounter {
  count(text: string): number {
    return Math.ceil(text.length / 4);
  }
}

/** OpenAI's documented per-message framing overhead (`<|start|>role<|message|>…<|end|>`). */
const MESSAGE_OVERHEAD = 4;
const REPLY_PRIMING = 3;

export function countMessageTokens(counter: TokenCounter, message: ChatMessage): number {
  let tokens = MESSAGE_OVERHEAD + counter.count(message.content);
  if (message.role === 'assistant' && message.toolCalls) {
    for (const call of message.toolCalls)
      tokens += counter.count(call.name) + counter.count(call.arguments) + 3;
  }
  return tokens;
}

export function countPassageTokens(counter: TokenCounter, passage: ContextPassage): number {
  return counter.count(passage.text) + 8;
}

export function countToolTokens(counter: TokenCounter, tools: readonly ToolDefinition[] | undefined): number {
  if (!tools) return 0;
  let tokens = 0;
  for (const tool of tools) {
    tokens +=
      counter.count(tool.name) +
      counter.count(tool.description) +
      counter.count(JSON.stringify(tool.parameters)) +
      8;
  }
  return tokens;
}

/** Tokens of a whole prompt as a provider will see it (messages, rendered context, tools). */
export function countPromptTokens(
  counter: TokenCounter,
  messages: readonly ChatMessage[],
  context: readonly ContextPassage[] | undefined,
  tools: readonly ToolDefinition[] | undefined,
): number {
  let tokens = REPLY_PRIMING;
  for (const message of messages) tokens += countMessageTokens(counter, message);
  if (context && context.length > 0) {
    tokens += 40;
    for (const passage of context) tokens += countPassageTokens(counter, passage);
  }
  return tokens + countToolTokens(counter, tools);
}
