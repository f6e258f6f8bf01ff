import { Controller, Get, HttpCode, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import {
  ApiErrorResponses,
  ApiJsonResponse,
  ApiSseResponse,
  TENANT_ERRORS,
} from '../../common/http/openapi-responses';
import { jobResponse, jobStreamEvents } from './jobs.responses';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { ApiKeyGuard } from '../../common/auth/api-key.guard';
import { CurrentTenant } from '../../common/auth/current-tenant.decorator';
import { lastEventId, openSse } from '../../common/sse/sse';
import { type AuthenticatedTenant } from '../tenants/tenant.store';
import { toJobView } from './job-view';
import { CancelJobUseCase } from './usecases/cancel-job.usecase';
import { GetJobUseCase } from './usecases/get-job.usecase';
import { StreamJobEventsUseCase } from './usecases/stream-job-events.usecase';

@ApiTags('jobs')
@ApiBearerAuth('apiKey')
@ApiErrorResponses(...TENANT_ERRORS, 404)
@UseGuards(ApiKeyGuard)
@Controller('v1/jobs')
export class JobsController {
  constructor(
    private readonly getJob: GetJobUseCase,
    private readonly streamEvents: StreamJobEventsUseCase,
    private readonly cancelJob: CancelJobUseCase,
  ) {}

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Cancel a job: a queued one never runs, a running one is aborted where it runs → state cancelled. Idempotent; 409 once completed or failed.',
  })
  @ApiJsonResponse(
    200,
    'The job (cancelled, or still active for a moment while its worker is told)',
    jobResponse,
  )
  @ApiErrorResponses(409)
  async cancel(@CurrentTenant() tenant: AuthenticatedTenant, @Param('id') id: string) {
    return toJobView(await this.cancelJob.execute(tenant.id, id));
  }

  @Get(':id')
  @ApiOperation({
    summary: 'A job: state (queued|active|completed|failed|cancelled), progress, result, error, attempts.',
  })
  @ApiJsonResponse(200, 'The job', jobResponse)
  async get(@CurrentTenant() tenant: AuthenticatedTenant, @Param('id') id: string) {
    return toJobView(await this.getJob.execute(tenant.id, id));
  }

  @Get(':id/events')
  @ApiProduces('text/event-stream')
  @ApiOperation({
    summary: "Server-sent events of a job until it completes or fails (first event: 'snapshot').",
  })
  @ApiSseResponse(
    'The job now (`snapshot`), its queue events as they happen, and a last `snapshot` after it completes or fails; then the stream ends.',
    jobStreamEvents,
  )
  async events(
    @CurrentTenant() tenant: AuthenticatedTenant,
    @Param('id') id: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const stream = await this.streamEvents.prepare(tenant.id, id, lastEventId(request));
    await stream(openSse(request, reply));
  }
}
