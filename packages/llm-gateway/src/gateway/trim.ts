import { ContextWindowExceededError } from '../errors/context-window-exceeded.error';
import type { ChatMessage, ContextPassage, ToolDefinition } from '../ports/llm-provider';
import {
  countMessageTokens,
  countPassageTokens,
  countPromptTokens,
  type TokenCounter,
} from '../tokens/token-counter';

export interface TrimResult {
  readonly messages: readonly ChatMessage[];
  readonly context: readonly ContextPassage[] | undefined;
  readonly promptTokens: number;
  readonly droppedMessages: number;
  readonly droppedPassages: number;
}

/**
 * Fits a prompt into `budgetTokens` ("send only the data needed"): first drops the oldest
 * conversation turns (never system messages, never the last user message and what follows it; an
 * assistant tool call goes together with its tool results), then the least relevant context
 * passages (lowest `score`; without scores, the last ones). Throws `ContextWindowExceededError`
 * when even that does not fit: never a silent overflow.
 */
export function trimToBudget(
  counter: TokenCounter,
  messages: readonly ChatMessage[],
  context: readonly ContextPassage[] | undefined,
  tools: readonly ToolDefinition[] | undefined,
  budgetTokens: number,
  model: string,
): TrimResult {
  let total = countPromptTokens(counter, messages, context, tools);
  if (total <= budgetTokens) {
    return { messages, context, promptTokens: total, droppedMessages: 0, droppedPassages: 0 };
  }

  let lastUser = -1;
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]?.role === 'user') {
      lastUser = i;
      break;
    }
  }
  // Droppable units, oldest first: indexes of non-system messages before the last user message,
  // with an assistant tool-call turn and its tool results grouped so no orphan tool result remains.
  const units: number[][] = [];
  for (let i = 0; i < lastUser; i++) {
    const message = messages[i] as ChatMessage;
    if (message.role === 'system') continue;
    if (message.role === 'tool' && units.length > 0) {
      const previous = units[units.length - 1] as number[];
      const head = messages[previous[0] as number];
      if (head?.role === 'assistant' && head.toolCalls && head.toolCalls.length > 0) {
        previous.push(i);
        continue;
      }
    }
    units.push([i]);
  }
  const dropped = new Set<number>();
  for (const unit of units) {
    if (total <= budgetTokens) break;
    for (const index of unit) {
      dropped.add(index);
      total -= countMessageTokens(counter, messages[index] as ChatMessage);
    }
  }
  const keptMessages = dropped.size === 0 ? messages : messages.filter((_, index) => !dropped.has(index));

  let keptContext = context;
  let droppedPassages = 0;
  if (total > budgetTokens && context && context.length > 0) {
    const order = context
      .map((passage, index) => ({ passage, index }))
      .sort((a, b) => (a.passage.score ?? -a.index) - (b.passage.score ?? -b.index) || b.index - a.index);
    const removed = new Set<number>();
    for (const { passage, index } of order) {
      if (total <= budgetTokens) break;
      removed.add(index);
      total -= countPassageTokens(counter, passage);
      droppedPassages++;
    }
    keptContext = context.filter((_, index) => !removed.has(index));
    if (keptContext.length === 0) keptContext = undefined;
  }

  const promptTokens = countPromptTokens(counter, keptMessages, keptContext, tools);
  if (promptTokens > budgetTokens) {
    throw new ContextWindowExceededError({
      message: `the prompt needs ${promptTokens} tokens after trimming; ${model} allows ${budgetTokens} for input`,
      promptTokens,
      limitTokens: budgetTokens,
      details: { model },
    });
  }
  return {
    messages: keptMessages,
    context: keptContext,
    promptTokens,
    droppedMessages: dropped.size,
    droppedPassages,
  };
}
