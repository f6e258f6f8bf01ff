import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type CacheableRequest, type JsonValue, type LlmResponseCache } from '@ai-scale/cache';
import {
  type Citation,
  type ContextPassage,
  type FinishReason,
  type GatewayChatRequest,
  type RequestBudget,
  type LlmGateway,
  type TokenUsage,
  type ToolCall,
  type UsageLedger,
} from '@ai-scale/llm-gateway';
import { type Retrieval } from '@ai-scale/retrieval';
import { InjectResponseCache } from '../../../infrastructure/cache/cache.module';
import { InjectLlmGateway, InjectLlmModels, InjectUsageLedger } from '../../../infrastructure/llm/llm.module';
import { InjectRetrieval } from '../../../infrastructure/retrieval/retrieval.module';
import { BudgetGuard } from '../../usage/budget-guard';
import { recordCacheHit } from '../../usage/record-cache-hit';
import { ModelNotFoundError } from '../model-not-found.error';
import {
  stopSequences,
  toGatewayMessages,
  toGatewayResponseFormat,
  toGatewayToolChoice,
  toGatewayTools,
} from '../openai-mapping';
import { AUTO_MODEL, type ChatCompletionRequest } from '../openai.types';

const PROMPT_VERSION = 'openai-v1';

/** One finished completion, from the model or from the answer cache. */
export interface CompletionOutcome {
  readonly requestId: string;
  readonly content: string;
  readonly toolCalls: readonly ToolCall[];
  readonly finishReason: FinishReason;
  readonly model: string;
  readonly usage: TokenUsage;
  readonly costUsd: number;
  readonly cache: 'exact' | 'semantic' | null;
  readonly tier: 'small' | 'large' | null;
  readonly fallbacks: number;
  readonly citations: readonly Citation[];
}

/** A streamed completion, as the gateway produces it. */
export type CompletionStreamEvent =
  | { readonly type: 'text'; readonly text: string }
  | {
      readonly type: 'tool_call';
      readonly index: number;
      readonly id?: string;
      readonly name?: string;
      readonly argumentsDelta: string;
    }
  | { readonly type: 'done'; readonly outcome: CompletionOutcome };

/** Everything decided before a token is bought: model, budget, grounding passages, cache lookup. */
export interface PreparedCompletion {
  readonly tenantId: string;
  readonly requestId: string;
  readonly gatewayRequest: GatewayChatRequest;
  readonly cacheRequest: CacheableRequest;
  readonly generations: Record<string, number>;
  readonly cached: CompletionOutcome | null;
}

type CachedCompletion = Omit<CompletionOutcome, 'requestId' | 'cache'>;

/**
 * `POST /v1/openai/chat/completions`: an OpenAI chat completion through the same gateway as
 * `/v1/chat` — the tenant's budget, the answer cache (exact for every deterministic request;
 * semantic only for a single question with no tools), tier routing for `model: "auto"`, fallbacks,
 * the usage ledger — and, with `ai_scale.rag`, grounded in the tenant's documents with citations.
 */
@Injectable()
export class CreateChatCompletionUseCase {
  constructor(
    @InjectLlmGateway() private readonly gateway: LlmGateway,
    @InjectLlmModels() private readonly models: readonly string[],
    @InjectRetrieval() private readonly retrieval: Retrieval,
    @InjectResponseCache() private readonly cache: LlmResponseCache,
    @InjectUsageLedger() private readonly ledger: UsageLedger,
    private readonly budget: BudgetGuard,
  ) {}

  /** The configured models a request may name, `auto` first. */
  availableModels(): string[] {
    return [AUTO_MODEL, ...this.models];
  }

  async prepare(
    tenantId: string,
    body: ChatCompletionRequest,
    signal?: AbortSignal,
    budgets: readonly RequestBudget[] = [],
  ): Promise<PreparedCompletion> {
    if (body.model !== AUTO_MODEL && !this.models.includes(body.model)) {
      throw new ModelNotFoundError(body.model, this.availableModels());
    }
    await this.budget.assertWithinBudget(tenantId);
    const requestId = randomUUID();
    const messages = toGatewayMessages(body.messages);
    const tools = toGatewayTools(body.tools);
    const toolChoice = toGatewayToolChoice(body.tool_choice);
    const responseFormat = toGatewayResponseFormat(body.response_format);
    const stop = stopSequences(body.stop);
    const maxTokens = body.max_completion_tokens ?? body.max_tokens ?? undefined;
    const temperature = body.temperature ?? undefined;
    const seed = body.seed ?? undefined;

    let context: ContextPassage[] = [];
    let generations: Record<string, number> = {};
    const rag = body.ai_scale?.rag;
    if (rag) {
      const question = [...messages].reverse().find((message) => message.role === 'user')?.content ?? '';
      const search = await this.retrieval.search({
        tenantId,
        query: question,
        topK: rag.topK,
        mode: 'hybrid',
      });
      context = search.results.map((result) => ({
        id: result.chunkId,
        documentId: result.documentId,
        chunkId: result.chunkId,
        text: result.text,
        score: result.score,
      }));
      generations = await this.cache.documentGenerations(tenantId, [
        ...new Set(context.map((passage) => passage.documentId)),
      ]);
    }

    const singleQuestion = !tools && messages.filter((message) => message.role !== 'system').length === 1;
    const cacheRequest: CacheableRequest = {
      tenantId,
      modelRoute: body.model,
      promptVersion: PROMPT_VERSION,
      messages: messages.map((message) => ({
        role: message.role,
        content: message.content,
        ...(message.role === 'tool' ? { toolCallId: message.toolCallId } : {}),
        ...(message.role === 'assistant' && message.toolCalls
          ? { toolCalls: message.toolCalls as unknown as JsonValue }
          : {}),
      })),
      ...(temperature !== undefined ? { temperature } : {}),
      ...(maxTokens !== undefined ? { maxTokens } : {}),
      ...(seed !== undefined ? { seed } : {}),
      ...(stop ? { stop } : {}),
      ...(tools ? { tools: tools as unknown as JsonValue } : {}),
      ...(toolChoice ? { toolChoice: toolChoice as unknown as JsonValue } : {}),
      ...(responseFormat ? { responseFormat: responseFormat as unknown as JsonValue } : {}),
      extraParameters: { rag: rag ? rag.topK : 0, passages: context.map((passage) => passage.chunkId) },
      cachePolicy: { semantic: singleQuestion },
    };

    const gatewayRequest: GatewayChatRequest = {
      tenantId,
      requestId,
      ...(body.model !== AUTO_MODEL ? { model: body.model } : {}),
      messages,
      ...(tools ? { tools } : {}),
      ...(toolChoice ? { toolChoice } : {}),
      ...(responseFormat ? { responseFormat } : {}),
      ...(temperature !== undefined ? { temperature } : {}),
      ...(maxTokens !== undefined ? { maxTokens } : {}),
      ...(seed !== undefined ? { seed } : {}),
      ...(stop ? { stop } : {}),
      ...(context.length > 0 ? { context } : {}),
      promptVersion: PROMPT_VERSION,
      ...(budgets.length > 0 ? { budgets } : {}),
      // The server's answer cache is consulted here, with the tenant's document generations.
      noCache: true,
      ...(signal ? { signal } : {}),
    };

    const hit = await this.cache.lookup(cacheRequest);
    let cached: CompletionOutcome | null = null;
    if (hit) {
      await recordCacheHit(this.ledger, tenantId, hit, requestId);
      const value = hit.value as unknown as CachedCompletion;
      cached = {
        ...value,
        requestId,
        usage: { promptTokens: 0, completionTokens: 0, cachedTokens: 0 },
        costUsd: 0,
        fallbacks: 0,
        cache: hit.kind,
      };
    }
    return { tenantId, requestId, gatewayRequest, cacheRequest, generations, cached };
  }

  async complete(prepared: PreparedCompletion): Promise<CompletionOutcome> {
    if (prepared.cached) return prepared.cached;
    const result = await this.gateway.chat(prepared.gatewayRequest);
    const outcome: CompletionOutcome = {
      requestId: prepared.requestId,
      content: result.content,
      toolCalls: result.toolCalls,
      finishReason: result.finishReason,
      model: result.model,
      usage: result.usage,
      costUsd: result.costUsd,
      cache: result.cache,
      tier: result.tier,
      fallbacks: result.fallbacks,
      citations: result.citations ?? [],
    };
    await this.store(prepared, outcome);
    return outcome;
  }

  async *stream(prepared: PreparedCompletion): AsyncIterable<CompletionStreamEvent> {
    if (prepared.cached) {
      if (prepared.cached.content) yield { type: 'text', text: prepared.cached.content };
      for (const [index, call] of prepared.cached.toolCalls.entries()) {
        yield { type: 'tool_call', index, id: call.id, name: call.name, argumentsDelta: call.arguments };
      }
      yield { type: 'done', outcome: prepared.cached };
      return;
    }
    let content = '';
    const calls = new Map<number, { id: string; name: string; arguments: string }>();
    for await (const event of this.gateway.stream(prepared.gatewayRequest)) {
      if (event.type === 'text') {
        content += event.text;
        yield event;
      } else if (event.type === 'tool_call') {
        const call = calls.get(event.index) ?? { id: '', name: '', arguments: '' };
        calls.set(event.index, {
          id: event.id ?? call.id,
          name: event.name ?? call.name,
          arguments: call.arguments + event.argumentsDelta,
        });
        yield event;
      } else {
        const outcome: CompletionOutcome = {
          requestId: prepared.requestId,
          content,
          toolCalls: [...calls.entries()].sort(([a], [b]) => a - b).map(([, call]) => call),
          finishReason: event.finishReason,
          model: event.model,
          usage: event.usage,
          costUsd: event.costUsd,
          cache: event.cache,
          // The stream's last event does not say which tier routed it.
          tier: null,
          fallbacks: event.fallbacks,
          citations: event.citations ?? [],
        };
        await this.store(prepared, outcome);
        yield { type: 'done', outcome };
      }
    }
  }

  private async store(prepared: PreparedCompletion, outcome: CompletionOutcome): Promise<void> {
    // Tied to every document it was grounded in, cited or only given (most models cite nothing).
    const cited = [
      ...new Set([
        ...outcome.citations.map((citation) => citation.documentId),
        ...(prepared.gatewayRequest.context ?? []).map((passage) => passage.documentId),
      ]),
    ];
    const value: CachedCompletion = {
      content: outcome.content,
      toolCalls: outcome.toolCalls,
      finishReason: outcome.finishReason,
      model: outcome.model,
      usage: outcome.usage,
      costUsd: outcome.costUsd,
      tier: outcome.tier,
      fallbacks: outcome.fallbacks,
      citations: outcome.citations,
    };
    await this.cache.store(prepared.cacheRequest, value as unknown as JsonValue, {
      citedDocumentIds: cited,
      documentGenerations: Object.fromEntries(
        cited.map((documentId) => [documentId, prepared.generations[documentId] ?? 0]),
      ),
      tokens: outcome.usage.promptTokens + outcome.usage.completionTokens,
      costUsd: outcome.costUsd,
    });
  }
}
