import { ATTR } from '@ai-scale/telemetry';
import type { Attributes } from '@opentelemetry/api';
import type { GatewayChatRequest } from '../ports/llm-gateway';
import type { ChatRequest, LlmProvider } from '../ports/llm-provider';
import type { TokenCounter } from '../tokens/token-counter';
import { NO_TRIM, type ModelDefinition, type Plan, type Prepared } from './gateway-options';
import type { ProviderGuard } from './provider-guard';
import { outputReserve } from './route-planner';
import { trimToBudget } from './trim';

/** Builds the request one model receives, trimmed to that model's input budget when needed. */
export class RequestPreparer {
  constructor(
    private readonly providers: ReadonlyMap<string, LlmProvider>,
    private readonly guards: ReadonlyMap<string, ProviderGuard>,
    private readonly counter: TokenCounter,
    private readonly attemptTimeoutMs: number,
  ) {}

  prepare(request: GatewayChatRequest, plan: Plan, model: ModelDefinition): Prepared {
    const reserve = outputReserve(request, model);
    const inputBudget = model.contextWindow - reserve;
    let messages = request.messages;
    let context = request.context;
    let trimmed: Prepared['trimmed'] = NO_TRIM;
    let promptTokens = plan.estimateTokens;
    // Tokenize only when the prompt might not fit: the byte bound is cheap and never under-counts.
    if (plan.upperBoundTokens > inputBudget) {
      const fitted = trimToBudget(this.counter, messages, context, request.tools, inputBudget, model.id);
      messages = fitted.messages;
      context = fitted.context;
      promptTokens = fitted.promptTokens;
      if (fitted.droppedMessages > 0 || fitted.droppedPassages > 0) {
        trimmed = { messages: fitted.droppedMessages, passages: fitted.droppedPassages };
      }
    }
    // Built field by field: no spread of optional fields, no undefined keys on the wire.
    const chatRequest: { -readonly [K in keyof ChatRequest]: ChatRequest[K] } = {
      model: model.providerModel ?? model.id,
      messages,
    };
    if (request.tools) chatRequest.tools = request.tools;
    if (request.toolChoice !== undefined) chatRequest.toolChoice = request.toolChoice;
    if (request.responseFormat) chatRequest.responseFormat = request.responseFormat;
    if (request.temperature !== undefined) chatRequest.temperature = request.temperature;
    if (request.maxTokens !== undefined) chatRequest.maxTokens = request.maxTokens;
    else if (plan.capOutput) chatRequest.maxTokens = reserve;
    if (request.seed !== undefined) chatRequest.seed = request.seed;
    if (request.stop) chatRequest.stop = request.stop;
    if (context) chatRequest.context = context;
    const provider = this.providers.get(model.provider) as LlmProvider;
    const spanAttributes: Attributes = {
      [ATTR.genAiOperationName]: 'chat',
      [ATTR.genAiProviderName]: provider.name,
      [ATTR.genAiSystem]: provider.name,
      [ATTR.genAiRequestModel]: chatRequest.model,
    };
    if (request.temperature !== undefined) spanAttributes[ATTR.genAiRequestTemperature] = request.temperature;
    if (chatRequest.maxTokens !== undefined)
      spanAttributes[ATTR.genAiRequestMaxTokens] = chatRequest.maxTokens;
    return {
      model,
      guard: this.guards.get(model.provider) as ProviderGuard,
      provider,
      request: chatRequest,
      tokens: promptTokens + reserve,
      trimmed,
      spanAttributes,
      attemptTimeoutMs: request.attemptTimeoutMs ?? model.attemptTimeoutMs ?? this.attemptTimeoutMs,
    };
  }
}
