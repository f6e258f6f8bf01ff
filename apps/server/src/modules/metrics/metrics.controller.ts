import { Controller, Get, Header } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses } from '../../common/http/openapi-responses';
import { InjectTelemetry } from '../../infrastructure/telemetry/telemetry.module';
import { type ServerTelemetry } from '../../infrastructure/telemetry/server-telemetry';

/** Prometheus scrape endpoint (text exposition format 0.0.4). */
@ApiTags('health')
@Controller('metrics')
export class MetricsController {
  constructor(@InjectTelemetry() private readonly telemetry: ServerTelemetry) {}

  @Get()
  @ApiOperation({ summary: 'Prometheus scrape endpoint (text exposition format 0.0.4); no authentication.' })
  @ApiProduces('text/plain')
  @ApiResponse({
    status: 200,
    description: 'Every metric family of this process',
    content: {
      'text/plain': { schema: { type: 'string', example: '# TYPE process_cpu_seconds_total counter' } },
    },
  })
  @ApiErrorResponses(500)
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape(): Promise<string> {
    return this.telemetry.prometheusText();
  }
}
