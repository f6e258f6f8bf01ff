import { Injectable } from '@nestjs/common';
import { type ChatMessage, type LlmGateway } from '@ai-scale/llm-gateway';
import { type Embedder } from '@ai-scale/retrieval';
import { type AppConfig, InjectConfig } from '../../../config';
import { InjectLlmGateway } from '../../../infrastructure/llm/llm.module';
import { InjectEmbedder } from '../../../infrastructure/retrieval/retrieval.module';
import {
  type ConversationRecord,
  type ConversationStore,
  InjectConversationStore,
  type MessageRecord,
} from '../../conversations/conversation.store';

/** Rough token count (4 characters a token): memory budgets are soft limits. */
export const approximateTokens = (text: string): number => Math.ceil(text.length / 4);

const RECALLED_MESSAGES = 2;
const SUMMARY_EVERY = 4;

/**
 * What the model sees of a conversation: a running summary of older turns (written by the small
 * tier), earlier messages recalled by similarity to the question, and the most recent turns that
 * fit the token budget (CHAT_MEMORY_TOKENS).
 */
@Injectable()
export class ConversationMemory {
  constructor(
    @InjectConversationStore() private readonly conversations: ConversationStore,
    @InjectEmbedder() private readonly embedder: Embedder,
    @InjectLlmGateway() private readonly gateway: LlmGateway,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  async build(
    conversation: ConversationRecord,
    history: readonly MessageRecord[],
    question: string,
  ): Promise<ChatMessage[]> {
    const recent: MessageRecord[] = [];
    let budget = this.config.CHAT_MEMORY_TOKENS;
    for (let index = history.length - 1; index >= 0; index -= 1) {
      const message = history[index];
      if (!message || message.tokens > budget) break;
      budget -= message.tokens;
      recent.unshift(message);
    }
    const older = history.slice(0, history.length - recent.length);
    const recalled = await this.recall(older, question);
    const messages: ChatMessage[] = [];
    if (conversation.summary) {
      messages.push({
        role: 'system',
        content: `Summary of the earlier conversation: ${conversation.summary}`,
      });
    }
    if (recalled.length > 0) {
      messages.push({
        role: 'system',
        content: `Earlier messages that may be relevant:\n${recalled.map((message) => `${message.role}: ${message.content}`).join('\n')}`,
      });
    }
    for (const message of recent) messages.push({ role: message.role, content: message.content });
    messages.push({ role: 'user', content: question });
    return messages;
  }

  /** Refreshes the running summary once enough turns have slid out of the recent window. */
  async maybeSummarize(
    tenantId: string,
    conversation: ConversationRecord,
    history: readonly MessageRecord[],
    requestId: string,
  ): Promise<void> {
    const outside = history.length - this.recentCount(history);
    if (outside - conversation.summarizedMessages < SUMMARY_EVERY) return;
    const toSummarize = history.slice(conversation.summarizedMessages, outside);
    const result = await this.gateway.chat({
      tenantId,
      requestId,
      tier: 'small',
      temperature: 0,
      messages: [
        {
          role: 'system',
          content:
            'Summarize the conversation below in at most five sentences, keeping names, numbers and decisions.',
        },
        {
          role: 'user',
          content: `${conversation.summary ? `Summary so far: ${conversation.summary}\n\n` : ''}${toSummarize
            .map((message) => `${message.role}: ${message.content}`)
            .join('\n')}`,
        },
      ],
    });
    await this.conversations.setSummary(tenantId, conversation.id, result.content.slice(0, 4000), outside);
  }

  private recentCount(history: readonly MessageRecord[]): number {
    let budget = this.config.CHAT_MEMORY_TOKENS;
    let count = 0;
    for (let index = history.length - 1; index >= 0; index -= 1) {
      const message = history[index];
      if (!message || message.tokens > budget) break;
      budget -= message.tokens;
      count += 1;
    }
    return count;
  }

  private async recall(older: readonly MessageRecord[], question: string): Promise<MessageRecord[]> {
    if (older.length === 0) return [];
    const candidates = older.slice(-200);
    const [questionVector, ...vectors] = await this.embedder.embed([
      question,
      ...candidates.map((message) => message.content),
    ]);
    if (!questionVector) return [];
    return candidates
      .map((message, index) => ({ message, score: cosine(questionVector, vectors[index] ?? []) }))
      .filter((candidate) => candidate.score > 0.2)
      .sort((a, b) => b.score - a.score)
      .slice(0, RECALLED_MESSAGES)
      .sort((a, b) => a.message.seq - b.message.seq)
      .map((candidate) => candidate.message);
  }
}

function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let index = 0; index < a.length; index += 1) {
    const x = a[index] ?? 0;
    const y = b[index] ?? 0;
    dot += x * y;
    normA += x * x;
    normB += y * y;
  }
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB);
}
