import { Body, Controller, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  ApiErrorResponses,
  ApiJsonResponse,
  sseContent,
  TENANT_ERRORS,
} from '../../common/http/openapi-responses';
import { openApiResponseSchema } from '../../common/validation/openapi';
import { answerResponse, chatAcceptedResponse, chatStreamEvents } from './chat.responses';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { ApiKeyGuard } from '../../common/auth/api-key.guard';
import { CurrentTenant } from '../../common/auth/current-tenant.decorator';
import { openSse } from '../../common/sse/sse';
import { openApiSchema } from '../../common/validation/openapi';
import { ZodValidationPipe } from '../../common/validation/zod-validation.pipe';
import { apiKeyBudgets } from '../tenants/api-key-budget';
import { type AuthenticatedTenant } from '../tenants/tenant.store';
import { type AnswerQuestionInput, type ChatRequest, chatRequestSchema } from './chat.types';
import { StartChatUseCase } from './usecases/start-chat.usecase';
import { StreamAnswerUseCase } from './usecases/stream-answer.usecase';

@ApiTags('chat')
@ApiBearerAuth('apiKey')
@UseGuards(ApiKeyGuard)
@Controller('v1/chat')
export class ChatController {
  constructor(
    private readonly startChat: StartChatUseCase,
    private readonly streamAnswer: StreamAnswerUseCase,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Ask a question over your documents. sync: 200 answer within the deadline, else 202 {jobId}; async: 202 {jobId}; stream: SSE `token` events then `done`.',
  })
  @ApiBody({ schema: openApiSchema(chatRequestSchema) })
  @ApiResponse({
    status: 200,
    description:
      'sync: the answer (JSON). stream: server-sent events — `token` pieces of the answer, then `done` with the whole answer, or `error` (the stream failed after it opened).',
    content: {
      'application/json': { schema: openApiResponseSchema(answerResponse) },
      'text/event-stream': sseContent(chatStreamEvents),
    },
  })
  @ApiJsonResponse(
    202,
    'async, or sync past CHAT_SYNC_DEADLINE_MS: the job that will hold the answer',
    chatAcceptedResponse,
  )
  @ApiErrorResponses(...TENANT_ERRORS, 402, 502)
  async chat(
    @CurrentTenant() tenant: AuthenticatedTenant,
    @Body(new ZodValidationPipe(chatRequestSchema)) body: ChatRequest,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const input: AnswerQuestionInput = {
      tenantId: tenant.id,
      ...(body.conversationId ? { conversationId: body.conversationId } : {}),
      messages: body.messages ?? [{ role: 'user', content: body.message ?? '' }],
      ...(body.model ? { model: body.model } : {}),
      ...(body.tier ? { tier: body.tier } : {}),
      budgets: apiKeyBudgets(tenant),
    };
    if (body.mode === 'stream') {
      const run = await this.streamAnswer.prepare(input);
      await run(openSse(request, reply));
      return;
    }
    const outcome = await this.startChat.execute(input, body.mode);
    if (outcome.kind === 'queued') {
      reply.status(202);
      return { jobId: outcome.jobId };
    }
    reply.status(200);
    return outcome.answer;
  }
}
