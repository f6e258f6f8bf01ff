import { Body, Controller, Get, HttpCode, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import {
  ApiErrorResponses,
  ApiJsonResponse,
  ApiSseResponse,
  TENANT_ERRORS,
} from '../../common/http/openapi-responses';
import { lastEventId, openSse } from '../../common/sse/sse';
import { runResponse, runStreamEvents, runWithStepsResponse, startedRunResponse } from './agents.responses';
import { z } from 'zod';
import { ApiKeyGuard } from '../../common/auth/api-key.guard';
import { CurrentTenant } from '../../common/auth/current-tenant.decorator';
import { openApiSchema } from '../../common/validation/openapi';
import { ZodValidationPipe } from '../../common/validation/zod-validation.pipe';
import { type AuthenticatedTenant } from '../tenants/tenant.store';
import { AgentRunsUseCase } from './agent-runs.usecase';

const startRunSchema = z.strictObject({
  agent: z.string().min(1).max(100),
  input: z.unknown().refine((value) => value !== undefined, 'required'),
});
const resumeSchema = z.strictObject({ input: z.unknown() }).default({ input: null });

@ApiTags('agents')
@ApiBearerAuth('apiKey')
@ApiErrorResponses(...TENANT_ERRORS)
@UseGuards(ApiKeyGuard)
@Controller('v1/agents/runs')
export class AgentsController {
  constructor(private readonly runs: AgentRunsUseCase) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Start an agent run in the background (e.g. {agent: "research", input: {question}}) → 202 {runId}.',
  })
  @ApiBody({ schema: openApiSchema(startRunSchema) })
  @ApiJsonResponse(202, 'The run is queued; poll GET /v1/agents/runs/{id}', startedRunResponse)
  @ApiErrorResponses(402)
  start(
    @CurrentTenant() tenant: AuthenticatedTenant,
    @Body(new ZodValidationPipe(startRunSchema)) body: z.output<typeof startRunSchema>,
  ) {
    return this.runs.start(tenant.id, body.agent, body.input);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A run: status, output, steps, usage.' })
  @ApiJsonResponse(200, 'The run with its checkpointed steps', runWithStepsResponse)
  @ApiErrorResponses(404)
  get(@CurrentTenant() tenant: AuthenticatedTenant, @Param('id') id: string) {
    return this.runs.get(tenant.id, id);
  }

  @Post(':id/resume')
  @HttpCode(202)
  @ApiOperation({ summary: 'Resume a paused run with the input it awaits.' })
  @ApiBody({ schema: openApiSchema(resumeSchema), required: false })
  @ApiJsonResponse(202, 'The run is queued again with the input', runResponse)
  @ApiErrorResponses(404, 409)
  resume(
    @CurrentTenant() tenant: AuthenticatedTenant,
    @Param('id') id: string,
    @Body(new ZodValidationPipe(resumeSchema, 'query')) body: z.output<typeof resumeSchema>,
  ) {
    return this.runs.resume(tenant.id, id, body.input);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Cancel a run: terminal status cancelled, in-flight model and tool calls aborted (billed for what they generated). Idempotent; 409 once it succeeded or failed.',
  })
  @ApiJsonResponse(200, 'The cancelled run', runResponse)
  @ApiErrorResponses(404, 409)
  cancel(@CurrentTenant() tenant: AuthenticatedTenant, @Param('id') id: string) {
    return this.runs.cancel(tenant.id, id);
  }

  @Get(':id/events')
  @ApiProduces('text/event-stream')
  @ApiOperation({
    summary:
      'Server-sent events of a run: status, each step (model call with tokens and cost, tool calls), end. Resumable with Last-Event-ID on any replica.',
  })
  @ApiSseResponse(
    'status, step (id = step number) and a last end event; then the stream ends.',
    runStreamEvents,
  )
  @ApiErrorResponses(404)
  async events(
    @CurrentTenant() tenant: AuthenticatedTenant,
    @Param('id') id: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const stream = await this.runs.prepareEvents(tenant.id, id, lastEventId(request));
    await stream(openSse(request, reply));
  }
}
