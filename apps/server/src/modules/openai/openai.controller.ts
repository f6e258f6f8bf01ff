import { Body, Controller, Get, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponsesOf, ApiJsonResponse, sseDataContent } from '../../common/http/openapi-responses';
import { openApiResponseSchema } from '../../common/validation/openapi';
import {
  chatCompletionResponse,
  chatCompletionStreamEvents,
  embeddingsResponse,
  modelListResponse,
  OPENAI_ERROR_SCHEMA_NAME,
  openAiErrorBodyZod,
} from './openai.responses';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { ApiKeyGuard } from '../../common/auth/api-key.guard';
import { CurrentTenant } from '../../common/auth/current-tenant.decorator';
import { mapError } from '../../common/http/error-mapping';
import { toOpenAiError } from '../../common/http/openai-error-body';
import { openSse } from '../../common/sse/sse';
import { openApiSchema } from '../../common/validation/openapi';
import { ZodValidationPipe } from '../../common/validation/zod-validation.pipe';
import { apiKeyBudgets } from '../tenants/api-key-budget';
import { type AuthenticatedTenant } from '../tenants/tenant.store';
import {
  type AiScaleCompletionInfo,
  toOpenAiCitations,
  toOpenAiFinishReason,
  toOpenAiToolCalls,
  toOpenAiUsage,
} from './openai-mapping';
import {
  type ChatCompletionRequest,
  chatCompletionRequestSchema,
  type EmbeddingsRequest,
  embeddingsRequestSchema,
} from './openai.types';
import {
  type CompletionOutcome,
  CreateChatCompletionUseCase,
} from './usecases/create-chat-completion.usecase';
import { CreateEmbeddingsUseCase } from './usecases/create-embeddings.usecase';

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

function aiScaleInfo(outcome: CompletionOutcome): AiScaleCompletionInfo {
  return {
    request_id: outcome.requestId,
    cost_usd: outcome.costUsd,
    cache: outcome.cache,
    tier: outcome.tier,
    fallbacks: outcome.fallbacks,
    citations: toOpenAiCitations(outcome.citations),
  };
}

/**
 * The OpenAI API, for clients already written against it: point the `openai` SDK's `baseURL` at
 * `<server>/v1/openai` and use a tenant API key as `apiKey`. Every call goes through the same
 * gateway, cache, budget, rate limit, ledger and trace as `/v1/chat`; errors come in OpenAI's shape.
 */
@ApiTags('openai')
@ApiBearerAuth('apiKey')
@ApiErrorResponsesOf(OPENAI_ERROR_SCHEMA_NAME, 400, 401, 429, 500, 503)
@UseGuards(ApiKeyGuard)
@Controller('v1/openai')
export class OpenAiController {
  constructor(
    private readonly completions: CreateChatCompletionUseCase,
    private readonly embeddings: CreateEmbeddingsUseCase,
  ) {}

  @Get('models')
  @ApiOperation({
    summary: 'The models a request may name: `auto` (tier routing) and each configured model.',
  })
  @ApiJsonResponse(200, 'The models', modelListResponse)
  listModels() {
    const created = nowSeconds();
    return {
      object: 'list',
      data: [...this.completions.availableModels(), ...this.embeddings.modelIds()].map((id) => ({
        id,
        object: 'model',
        created,
        owned_by: 'ai-scale',
      })),
    };
  }

  @Post('chat/completions')
  @HttpCode(200)
  @ApiResponse({
    status: 200,
    description:
      'A chat.completion (JSON); with `stream: true` server-sent `data:` lines, each a chat.completion.chunk, then `[DONE]` (a failure after the stream opened arrives as a `data:` line with the error body).',
    content: {
      'application/json': { schema: openApiResponseSchema(chatCompletionResponse) },
      'text/event-stream': sseDataContent({
        ...chatCompletionStreamEvents,
        error: { description: 'The stream failed after it opened; last message', data: openAiErrorBodyZod },
      }),
    },
  })
  @ApiErrorResponsesOf(OPENAI_ERROR_SCHEMA_NAME, 402, 404, 502)
  @ApiOperation({
    summary:
      'OpenAI chat completion (tools, response_format, stream with stream_options.include_usage); `ai_scale.rag` grounds it in your documents.',
  })
  @ApiBody({ schema: openApiSchema(chatCompletionRequestSchema) })
  async createChatCompletion(
    @CurrentTenant() tenant: AuthenticatedTenant,
    @Body(new ZodValidationPipe(chatCompletionRequestSchema)) body: ChatCompletionRequest,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    if (!body.stream) {
      const prepared = await this.completions.prepare(tenant.id, body, undefined, apiKeyBudgets(tenant));
      const outcome = await this.completions.complete(prepared);
      return {
        id: `chatcmpl-${outcome.requestId}`,
        object: 'chat.completion',
        created: nowSeconds(),
        model: outcome.model,
        system_fingerprint: null,
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: outcome.content === '' && outcome.toolCalls.length > 0 ? null : outcome.content,
              refusal: null,
              ...(outcome.toolCalls.length > 0 ? { tool_calls: toOpenAiToolCalls(outcome.toolCalls) } : {}),
            },
            finish_reason: toOpenAiFinishReason(outcome.finishReason),
            logprobs: null,
          },
        ],
        usage: toOpenAiUsage(outcome.usage),
        ai_scale: aiScaleInfo(outcome),
      };
    }

    // Errors found before the stream opens (model, budget, validation) keep their HTTP status.
    const abort = new AbortController();
    const prepared = await this.completions.prepare(tenant.id, body, abort.signal, apiKeyBudgets(tenant));
    const stream = openSse(request, reply);
    stream.onClose(() => abort.abort());
    const id = `chatcmpl-${prepared.requestId}`;
    const created = nowSeconds();
    let model = body.model;
    const chunk = (delta: object, finishReason: string | null = null) => ({
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      system_fingerprint: null,
      choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }],
    });
    try {
      stream.sendData(chunk({ role: 'assistant', content: '' }));
      for await (const event of this.completions.stream(prepared)) {
        if (event.type === 'text') stream.sendData(chunk({ content: event.text }));
        else if (event.type === 'tool_call') {
          stream.sendData(
            chunk({
              tool_calls: [
                {
                  index: event.index,
                  ...(event.id ? { id: event.id, type: 'function' } : {}),
                  function: { ...(event.name ? { name: event.name } : {}), arguments: event.argumentsDelta },
                },
              ],
            }),
          );
        } else {
          model = event.outcome.model;
          stream.sendData({
            ...chunk({}, toOpenAiFinishReason(event.outcome.finishReason)),
            ai_scale: aiScaleInfo(event.outcome),
          });
          if (body.stream_options?.include_usage) {
            stream.sendData({ ...chunk({}), choices: [], usage: toOpenAiUsage(event.outcome.usage) });
          }
        }
      }
      stream.sendData('[DONE]');
    } catch (error) {
      stream.sendData(toOpenAiError(mapError(error)));
    } finally {
      stream.close();
    }
  }

  @Post('embeddings')
  @HttpCode(200)
  @ApiOperation({
    summary: "OpenAI embeddings with the server's own embedder (the space its documents are indexed in).",
  })
  @ApiBody({ schema: openApiSchema(embeddingsRequestSchema) })
  @ApiJsonResponse(200, 'One embedding per input, in order', embeddingsResponse)
  createEmbeddings(@Body(new ZodValidationPipe(embeddingsRequestSchema)) body: EmbeddingsRequest) {
    return this.embeddings.execute(body);
  }
}
