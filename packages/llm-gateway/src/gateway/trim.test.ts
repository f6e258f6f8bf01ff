import type { ChatMessage } from '../ports/llm-provider';
import { ApproximateTokenCounter, TiktokenCounter } from '../tokens/token-counter';
import { trimToBudget } from './trim';

describe('trimToBudget', () => {
  const counter = new ApproximateTokenCounter();
  const long = 'x'.repeat(400);

  it('returns the prompt untouched when it fits', () => {
    const messages: ChatMessage[] = [{ role: 'user', content: 'hi' }];
    const result = trimToBudget(counter, messages, undefined, undefined, 1_000, 'm');
    expect(result.messages).toBe(messages);
    expect(result.droppedMessages).toBe(0);
  });

  it('drops an assistant tool call together with its tool results, never leaving an orphan', () => {
    const messages: ChatMessage[] = [
      { role: 'system', content: 'sys' },
      { role: 'user', content: long },
      { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'search', arguments: '{}' }] },
      { role: 'tool', toolCallId: 'c1', content: long },
      { role: 'assistant', content: 'ok' },
      { role: 'user', content: 'now?' },
    ];
    const result = trimToBudget(counter, messages, undefined, undefined, 40, 'm');
    expect(result.messages.map((message) => message.role)).toEqual(['system', 'assistant', 'user']);
    expect(result.droppedMessages).toBe(3);
  });

  it('drops passages without scores from the end', () => {
    const result = trimToBudget(
      counter,
      [{ role: 'user', content: 'q' }],
      [
        { id: 'a', documentId: 'd', chunkId: 'first', text: long },
        { id: 'b', documentId: 'd', chunkId: 'second', text: long },
      ],
      undefined,
      170,
      'm',
    );
    expect(result.context?.map((passage) => passage.chunkId)).toEqual(['first']);
  });

  it('counts with js-tiktoken (o200k_base) offline', () => {
    expect(new TiktokenCounter().warmUp().count('hello world')).toBe(2);
  });
});
