import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type CacheableRequest, type JsonValue, type LlmResponseCache } from '@ai-scale/cache';
import {
  type ChatMessage,
  type ContextPassage,
  type LlmGateway,
  type UsageLedger,
} from '@ai-scale/llm-gateway';
import { type Retrieval } from '@ai-scale/retrieval';
import { NotFoundError } from '../../../common/errors';
import { InjectResponseCache } from '../../../infrastructure/cache/cache.module';
import { InjectLlmGateway, InjectUsageLedger } from '../../../infrastructure/llm/llm.module';
import { InjectRetrieval } from '../../../infrastructure/retrieval/retrieval.module';
import {
  type ConversationRecord,
  type ConversationStore,
  InjectConversationStore,
} from '../../conversations/conversation.store';
import { BudgetGuard } from '../../usage/budget-guard';
import { recordCacheHit } from '../../usage/record-cache-hit';
import { type AnswerQuestionInput, type Answer } from '../chat.types';
import { approximateTokens, ConversationMemory } from './conversation-memory';

const PROMPT_VERSION = 'chat-v1';
const CONTEXT_PASSAGES = 5;

/** Everything the model call needs, prepared once for the sync/async and the streaming paths. */
export interface PreparedQuestion {
  readonly conversation: ConversationRecord;
  readonly question: string;
  readonly messages: ChatMessage[];
  readonly context: ContextPassage[];
  readonly cacheRequest: CacheableRequest;
  readonly generations: Record<string, number>;
  readonly cached: Answer | null;
}

/**
 * Answers a question over the tenant's documents: budget check, conversation memory, answer cache
 * (exact; invalidated when a cited document changes), hybrid retrieval, the LLM gateway, and the
 * turn saved to the conversation.
 */
@Injectable()
export class AnswerQuestionUseCase {
  constructor(
    @InjectConversationStore() private readonly conversations: ConversationStore,
    @InjectRetrieval() private readonly retrieval: Retrieval,
    @InjectLlmGateway() private readonly gateway: LlmGateway,
    @InjectUsageLedger() private readonly ledger: UsageLedger,
    @InjectResponseCache() private readonly cache: LlmResponseCache,
    private readonly memory: ConversationMemory,
    private readonly budget: BudgetGuard,
  ) {}

  async execute(input: AnswerQuestionInput, signal?: AbortSignal): Promise<Answer> {
    const prepared = await this.prepare(input);
    if (prepared.cached) {
      await this.finish(input.tenantId, prepared, prepared.cached);
      return prepared.cached;
    }
    const result = await this.gateway.chat({
      tenantId: input.tenantId,
      requestId: randomUUID(),
      model: input.model,
      tier: input.tier,
      ...(input.budgets ? { budgets: input.budgets } : {}),
      messages: prepared.messages,
      context: prepared.context,
      temperature: 0,
      signal,
    });
    const answer: Answer = {
      answer: result.content,
      citations: (result.citations ?? []).map(({ documentId, chunkId }) => ({ documentId, chunkId })),
      usage: {
        promptTokens: result.usage.promptTokens,
        completionTokens: result.usage.completionTokens,
        costUsd: result.costUsd,
      },
      cache: null,
      conversationId: prepared.conversation.id,
    };
    await this.store(prepared, answer);
    await this.finish(input.tenantId, prepared, answer);
    return answer;
  }

  /** Budget, conversation, memory, cache lookup and retrieval: everything before the model call. */
  async prepare(input: AnswerQuestionInput): Promise<PreparedQuestion> {
    await this.budget.assertWithinBudget(input.tenantId);
    const conversation = await this.conversation(input);
    const given = input.messages;
    const question = given.at(-1)?.content ?? '';
    // Messages sent inline (not yet stored) become part of the conversation before this turn.
    for (const message of given.slice(0, -1)) {
      await this.conversations.append(input.tenantId, conversation.id, {
        ...message,
        tokens: approximateTokens(message.content),
      });
    }
    const history = await this.conversations.messages(input.tenantId, conversation.id);
    const messages = await this.memory.build(conversation, history, question);
    const cacheRequest: CacheableRequest = {
      tenantId: input.tenantId,
      modelRoute: input.model ?? input.tier ?? 'default',
      promptVersion: PROMPT_VERSION,
      messages: messages.map((message) => ({
        role: message.role === 'tool' ? 'tool' : message.role,
        content: message.content,
      })),
      temperature: 0,
    };
    const hit = await this.cache.lookup(cacheRequest);
    if (hit) {
      const value = hit.value as unknown as Answer;
      await recordCacheHit(this.ledger, input.tenantId, hit);
      const cached: Answer = {
        ...value,
        usage: { promptTokens: 0, completionTokens: 0, costUsd: 0 },
        cache: hit.kind,
        conversationId: conversation.id,
      };
      return { conversation, question, messages, context: [], cacheRequest, generations: {}, cached };
    }
    const search = await this.retrieval.search({
      tenantId: input.tenantId,
      query: question,
      topK: CONTEXT_PASSAGES,
      mode: 'hybrid',
    });
    const documentIds = [...new Set(search.results.map((result) => result.documentId))];
    const generations = await this.cache.documentGenerations(input.tenantId, documentIds);
    const context: ContextPassage[] = search.results.map((result) => ({
      id: result.chunkId,
      documentId: result.documentId,
      chunkId: result.chunkId,
      text: result.text,
      score: result.score,
    }));
    return { conversation, question, messages, context, cacheRequest, generations, cached: null };
  }

  /**
   * Stores a fresh answer in the cache, tied to every document it was grounded in — the ones it cited
   * AND the ones whose passages it was given: a model that does not report citations (most do not)
   * still answered from them, so changing or deleting any of them must stop serving the answer.
   */
  async store(prepared: PreparedQuestion, answer: Answer): Promise<void> {
    const { conversationId: _conversation, ...value } = answer;
    const cited = [
      ...new Set([
        ...answer.citations.map((citation) => citation.documentId),
        ...prepared.context.map((passage) => passage.documentId),
      ]),
    ];
    await this.cache.store(prepared.cacheRequest, value as unknown as JsonValue, {
      citedDocumentIds: cited,
      documentGenerations: Object.fromEntries(
        cited.map((documentId) => [documentId, prepared.generations[documentId] ?? 0]),
      ),
      tokens: answer.usage.promptTokens + answer.usage.completionTokens,
      costUsd: answer.usage.costUsd,
    });
  }

  /** Saves the turn and refreshes the running summary when due (a failed summary never fails the answer). */
  async finish(tenantId: string, prepared: PreparedQuestion, answer: Answer): Promise<void> {
    await this.conversations.append(tenantId, prepared.conversation.id, {
      role: 'user',
      content: prepared.question,
      tokens: approximateTokens(prepared.question),
    });
    await this.conversations.append(tenantId, prepared.conversation.id, {
      role: 'assistant',
      content: answer.answer,
      tokens: approximateTokens(answer.answer),
    });
    try {
      const conversation =
        (await this.conversations.get(tenantId, prepared.conversation.id)) ?? prepared.conversation;
      const history = await this.conversations.messages(tenantId, prepared.conversation.id);
      await this.memory.maybeSummarize(tenantId, conversation, history, randomUUID());
    } catch {
      // The summary is refreshed on a later turn.
    }
  }

  private async conversation(input: AnswerQuestionInput): Promise<ConversationRecord> {
    if (input.conversationId) {
      const existing = await this.conversations.get(input.tenantId, input.conversationId);
      if (!existing) throw new NotFoundError('conversation', input.conversationId);
      return existing;
    }
    return this.conversations.create(input.tenantId);
  }
}
