import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { InjectTelemetry } from '../../infrastructure/telemetry/telemetry.module';
import { type ServerTelemetry } from '../../infrastructure/telemetry/server-telemetry';

/** Prometheus scrape endpoint (text exposition format 0.0.4). */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(@InjectTelemetry() private readonly telemetry: ServerTelemetry) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape(): Promise<string> {
    return this.telemetry.prometheusText();
  }
}
