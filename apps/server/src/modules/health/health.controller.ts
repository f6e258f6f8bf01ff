import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { openApiResponseSchema } from '../../common/validation/openapi';
import { ApiErrorResponses, ApiJsonResponse } from '../../common/http/openapi-responses';
import { type FastifyReply } from 'fastify';
import { type AppConfig, InjectConfig } from '../../config';
import { ReadinessRegistry } from '../../infrastructure/readiness/readiness.registry';
import { liveResponse, notReadyResponse, readyResponse } from './health.responses';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly readiness: ReadinessRegistry,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process answers HTTP (checks no dependency).' })
  @ApiJsonResponse(200, 'The process is alive', liveResponse)
  @ApiErrorResponses(500)
  live(): { status: 'ok'; role: string } {
    return { status: 'ok', role: this.config.ROLE };
  }

  @Get('ready')
  @ApiOperation({
    summary: 'Readiness: every configured dependency answers; 503 naming the failing ones otherwise.',
  })
  @ApiJsonResponse(200, 'Every dependency answers', readyResponse)
  @ApiResponse({
    status: 503,
    description: 'At least one dependency is down (NOT_READY names them); Retry-After: 1',
    headers: { 'Retry-After': { description: 'Seconds', schema: { type: 'integer' } } },
    content: { 'application/json': { schema: openApiResponseSchema(notReadyResponse) } },
  })
  @ApiErrorResponses(500)
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<unknown> {
    const report = await this.readiness.run(this.config.DEPENDENCY_TIMEOUT_MS);
    if (report.status !== 'ok') {
      const failing = Object.entries(report.checks)
        .filter(([, check]) => check.status === 'down')
        .map(([name]) => name);
      reply.status(HttpStatus.SERVICE_UNAVAILABLE).header('Retry-After', '1');
      return {
        ...report,
        error: { code: 'NOT_READY', message: `not ready: ${failing.join(', ')} unavailable` },
      };
    }
    return report;
  }
}
