import type { ChatMessage, ContextPassage } from '../ports/llm-provider';

/**
 * How model providers receive `ChatRequest.context`: one system message listing the passages with
 * their ids, placed after the caller's own system messages, asking the model to cite `[n]`.
 */
export function renderContext(context: readonly ContextPassage[]): string {
  const lines = [
    'Answer from the following passages. Cite the passages you use as [n]. If they do not contain the answer, say so.',
  ];
  context.forEach((passage, index) => {
    lines.push(`[${index + 1}] (document ${passage.documentId}, chunk ${passage.chunkId})\n${passage.text}`);
  });
  return lines.join('\n\n');
}

/** The request's messages with the context rendered in as a system message (unchanged when there is none). */
export function messagesWithContext(
  messages: readonly ChatMessage[],
  context: readonly ContextPassage[] | undefined,
): readonly ChatMessage[] {
  if (!context || context.length === 0) return messages;
  const firstNonSystem = messages.findIndex((message) => message.role !== 'system');
  const at = firstNonSystem === -1 ? messages.length : firstNonSystem;
  return [
    ...messages.slice(0, at),
    { role: 'system', content: renderContext(context) },
    ...messages.slice(at),
  ];
}

/** The text of the last user message ('' when there is none): the question. */
export function lastUserText(messages: readonly ChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i] as ChatMessage;
    if (message.role === 'user') return message.content;
  }
  return '';
}
