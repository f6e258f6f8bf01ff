import { type GatewayChatRequest, type GatewayChatResult, type LlmGateway } from '@ai-scale/llm-gateway';
import { LocalEmbedder } from '@ai-scale/retrieval';
import { parseConfig } from '../../../config';
import {
  type ConversationRecord,
  type ConversationStore,
  type MessageRecord,
} from '../../conversations/conversation.store';
import { approximateTokens, ConversationMemory } from './conversation-memory';

function message(seq: number, role: 'user' | 'assistant', content: string): MessageRecord {
  return {
    id: `m${seq}`,
    conversationId: 'c1',
    role,
    content,
    tokens: approximateTokens(content),
    createdAt: new Date(),
    seq,
  };
}

function fakeGateway(): LlmGateway & { requests: GatewayChatRequest[] } {
  const requests: GatewayChatRequest[] = [];
  return {
    requests,
    async chat(request) {
      requests.push(request);
      return { content: 'SUMMARY: the user asked about the billing migration.' } as GatewayChatResult;
    },
    stream() {
      throw new Error('not used');
    },
  };
}

describe('ConversationMemory', () => {
  const conversation: ConversationRecord = {
    id: 'c1',
    tenantId: 't1',
    summary: null,
    summarizedMessages: 0,
    createdAt: new Date(),
  };
  const filler = 'x'.repeat(400); // ~100 tokens each
  const history: MessageRecord[] = [
    message(0, 'user', 'Our billing migration moves invoices to the Heron service in March.'),
    message(1, 'assistant', 'Noted: Heron takes over invoices in March.'),
    ...Array.from({ length: 10 }, (_, index) =>
      message(index + 2, index % 2 === 0 ? 'user' : 'assistant', `${filler} ${index}`),
    ),
  ];
  const setSummary = jest.fn<Promise<void>, [string, string, string, number]>(async () => undefined);
  const store = { setSummary } as unknown as ConversationStore;

  it('sends the recent turns within the token budget, earlier messages recalled by similarity, and the summary', async () => {
    const config = parseConfig({ CHAT_MEMORY_TOKENS: '350' });
    const memory = new ConversationMemory(store, new LocalEmbedder(), fakeGateway(), config);
    const messages = await memory.build(
      { ...conversation, summary: 'Earlier: greetings.' },
      history,
      'When does Heron take over the invoices?',
    );
    const recent = messages.filter((entry) => entry.role !== 'system');
    // 350 tokens fit three ~100-token turns, plus the question itself.
    expect(recent).toHaveLength(4);
    expect(recent.at(-1)).toEqual({ role: 'user', content: 'When does Heron take over the invoices?' });
    const system = messages.filter((entry) => entry.role === 'system').map((entry) => entry.content);
    expect(system[0]).toContain('Earlier: greetings.');
    expect(system[1]).toContain('Heron service in March');
  });

  it('asks the small tier for a running summary once enough turns left the window', async () => {
    const config = parseConfig({ CHAT_MEMORY_TOKENS: '350' });
    const gateway = fakeGateway();
    const memory = new ConversationMemory(store, new LocalEmbedder(), gateway, config);
    await memory.maybeSummarize('t1', conversation, history, 'r1');
    expect(gateway.requests).toHaveLength(1);
    expect(gateway.requests[0]).toMatchObject({ tenantId: 't1', tier: 'small', temperature: 0 });
    expect(JSON.stringify(gateway.requests[0]?.messages)).toContain('billing migration');
    expect(setSummary).toHaveBeenCalledWith('t1', 'c1', expect.stringContaining('SUMMARY'), 9);
  });

  it('does not summarize while the whole conversation fits the budget', async () => {
    const config = parseConfig({ CHAT_MEMORY_TOKENS: '100000' });
    const gateway = fakeGateway();
    await new ConversationMemory(store, new LocalEmbedder(), gateway, config).maybeSummarize(
      't1',
      conversation,
      history,
      'r1',
    );
    expect(gateway.requests).toHaveLength(0);
  });
});
