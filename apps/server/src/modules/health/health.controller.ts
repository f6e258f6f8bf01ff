import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { type FastifyReply } from 'fastify';
import { type AppConfig, InjectConfig } from '../../config';
import { ReadinessRegistry } from '../../infrastructure/readiness/readiness.registry';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly readiness: ReadinessRegistry,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process answers HTTP (checks no dependency).' })
  live(): { status: 'ok'; role: string } {
    return { status: 'ok', role: this.config.ROLE };
  }

  @Get('ready')
  @ApiOperation({
    summary: 'Readiness: every configured dependency answers; 503 naming the failing ones otherwise.',
  })
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
